// SPDX-License-Identifier: GPL-3.0-or-later

// Command docc-sample is the sample HTTP service docc.platform builds, ships and proves.
//
// Endpoints: / (greeting), /healthz (liveness), /readyz (readiness: 503 while draining),
// /version (build information). Configuration comes from the environment: PORT (default
// 8080), SHUTDOWN_TIMEOUT (default 10s), GREETING.
//
// Run with -healthcheck to probe a running instance's /healthz and exit 0 or 1; images
// built FROM scratch use it as their HEALTHCHECK, since they carry no other program.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "probe http://127.0.0.1:$PORT/healthz and exit 0 when it answers 200")
	flag.Parse()

	cfg, err := configFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "docc-sample:", err)
		os.Exit(2)
	}
	if *healthcheck {
		os.Exit(probe(cfg.Port, 2*time.Second))
	}

	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, logger, nil); err != nil {
		logger.Error("server failed", "error", err)
		os.Exit(1)
	}
}

// probe asks the local instance's /healthz; it returns the process exit code.
func probe(port string, timeout time.Duration) int {
	client := &http.Client{Timeout: timeout}
	resp, err := client.Get("http://127.0.0.1:" + port + "/healthz")
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "healthcheck: status", resp.StatusCode)
		return 1
	}
	return 0
}
