#!/usr/bin/env python3
"""Writes Tests/Fixtures/fairseq/mega_lra_listops.zip64.pt: the ListOps fixture's zip archive
rewritten with ZIP64 local headers (sizes 0xFFFFFFFF and the ZIP64 extra field, as writers do
for entries over 4 GiB), so the importer's ZIP64 path is tested on a small file."""
import zipfile

folder = "Tests/Fixtures/fairseq"
source = zipfile.ZipFile(f"{folder}/mega_lra_listops.pt")
with zipfile.ZipFile(f"{folder}/mega_lra_listops.zip64.pt", "w", zipfile.ZIP_STORED) as out:
    for info in source.infolist():
        with out.open(info.filename, "w", force_zip64=True) as entry:
            entry.write(source.read(info.filename))
