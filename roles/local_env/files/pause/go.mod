// SPDX-License-Identifier: GPL-3.0-or-later
module docc.local/pause

go 1.22
