// Copyright (c) docc.platform contributors
// SPDX-License-Identifier: GPL-3.0-or-later

// Command pause holds a pod's namespaces and exits on SIGTERM or SIGINT.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
