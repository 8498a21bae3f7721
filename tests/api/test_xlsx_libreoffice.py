"""Excel exports open in LibreOffice with the values the CSV export gives
(issue 5: `libreoffice --headless --convert-to csv`): text in Chinese,
neutralised formula-like text, phone numbers, dates, whole numbers, money in
yuan. LibreOffice does not recalculate xlsx formulas on opening, so this also
proves money cells carry their value, not only a formula."""
import csv
import decimal
import io
import os
import shutil
import subprocess
import tempfile
import unittest

from client import admin, uniq

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def same(a, b):
    """Cells are equal as text, or as numbers (0.00 and 0; 1,234.56 and 1234.56)."""
    if a == b:
        return True
    try:
        return decimal.Decimal(a.replace(",", "")) == decimal.Decimal(b.replace(",", ""))
    except decimal.InvalidOperation:
        return False


class LibreOfficeOpensExports(unittest.TestCase):
    def test_customers_xlsx_reads_back_like_the_csv(self):
        self.assertIsNotNone(SOFFICE, "LibreOffice is needed (scripts/deps.sh installs libreoffice-calc-nogui)")
        p = uniq("LO")
        rows = [{"name": p + " 北京鼎盛科技有限公司", "kind": "company", "phone": "010-6212 3456",
                 "credit_limit": 12345678, "notes": "第一行"},
                {"name": "=SUM(A1) " + p, "kind": "individual", "birthday": "1990-05-06", "credit_limit": 5},
                {"name": p + " 上海", "kind": "company", "credit_limit": 0}]
        for row in rows:
            admin().create("customers", row)
        q = {"q": p, "sort": "id"}
        x = admin().get("customers/export", query=dict(q, format="xlsx"))
        self.assertEqual(x.status, 200, x)
        c = admin().get("customers/export", query=dict(q, format="csv"))
        self.assertEqual(c.status, 200, c)
        expected = list(csv.reader(io.StringIO(c.raw.decode("utf-8-sig"))))
        self.assertEqual(len(expected), 1 + len(rows))
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "customers.xlsx")
            with open(src, "wb") as f:
                f.write(x.raw)
            out = subprocess.run([SOFFICE, "--headless", "-env:UserInstallation=file://" + tmp + "/profile",
                                  "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false",
                                  "--outdir", tmp, src], capture_output=True, text=True, timeout=180)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            with open(os.path.join(tmp, "customers.csv"), encoding="utf-8") as f:
                got = list(csv.reader(f))
        self.assertEqual(got[0], expected[0])
        self.assertEqual(len(got), len(expected))
        for g, e in zip(got[1:], expected[1:]):
            self.assertEqual(len(g), len(e))
            diffs = [(expected[0][k], g[k], e[k]) for k in range(len(e)) if not same(g[k], e[k])]
            self.assertEqual(diffs, [], "cells that differ (column, LibreOffice, CSV)")
        self.assertIn("信用额度", expected[0])
        money = expected[0].index("信用额度")
        self.assertEqual([r[money].replace(",", "") for r in got[1:]], ["123456.78", "0.05", "0"])


if __name__ == "__main__":
    unittest.main()
