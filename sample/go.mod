// SPDX-License-Identifier: GPL-3.0-or-later
module docc.platform/sample

go 1.24
