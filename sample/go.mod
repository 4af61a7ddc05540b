module docc.platform/sample

go 1.24
