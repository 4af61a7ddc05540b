module docc.local/pause

go 1.22
