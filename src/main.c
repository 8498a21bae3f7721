#include <stdio.h>
int main(void) { puts("guanxi"); return 0; }
