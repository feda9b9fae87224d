# Prints every sheet of an .xlsx as openpyxl reads it back: each written cell with its
# value, type and style, as JSON (floats as their repr).
import openpyxl, sys, json
wb = openpyxl.load_workbook(sys.argv[1])
out = {}
for ws in wb.worksheets:
    rows = []
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and not c.has_style: continue
            rows.append([c.coordinate, c.value if not isinstance(c.value, float) else repr(c.value), c.data_type, c.font.b, c.border.left.style, c.alignment.horizontal, c.alignment.vertical, c.number_format])
    out[ws.title] = {"dims": ws.dimensions, "cells": rows, "freeze": ws.freeze_panes}
print(json.dumps(out, indent=1, ensure_ascii=False))
