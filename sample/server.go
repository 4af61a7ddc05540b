// SPDX-License-Identifier: GPL-3.0-or-later

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"
)

// Set at build time: -ldflags "-X main.version=... -X main.revision=...".
var (
	version  = "dev"
	revision = "unknown"
)

// Config is the server's configuration, read from the environment.
type Config struct {
	Port            string
	ShutdownTimeout time.Duration
	Greeting        string
}

func configFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{Port: "8080", ShutdownTimeout: 10 * time.Second, Greeting: "Hello from docc.platform"}
	if v := getenv("PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return cfg, fmt.Errorf("PORT must be a TCP port number (1-65535), got %q", v)
		}
		cfg.Port = v
	}
	if v := getenv("SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return cfg, fmt.Errorf("SHUTDOWN_TIMEOUT must be a positive duration such as 10s, got %q", v)
		}
		cfg.ShutdownTimeout = d
	}
	if v := getenv("GREETING"); v != "" {
		cfg.Greeting = v
	}
	return cfg, nil
}

// BuildInfo is what /version reports.
type BuildInfo struct {
	Version   string `json:"version"`
	Revision  string `json:"revision"`
	GoVersion string `json:"go_version"`
	Module    string `json:"module"`
}

func buildInfo() BuildInfo {
	info := BuildInfo{Version: version, Revision: revision, GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		info.Module = bi.Main.Path
	}
	return info
}

// newHandler serves the endpoints; ready reports whether /readyz should answer 200.
func newHandler(cfg Config, ready *atomic.Bool, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"message": cfg.Greeting})
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, buildInfo())
	})
	return logRequests(logger, mux)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// logRequests writes one structured log line per request.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.Info("request",
			"method", r.Method, "path", r.URL.Path, "status", rec.status, "bytes", rec.bytes,
			"duration_ms", float64(time.Since(start).Microseconds())/1000, "remote", r.RemoteAddr,
			"user_agent", r.UserAgent())
	})
}

// run serves until ctx is cancelled, then drains: /readyz turns 503 and in-flight requests
// get up to cfg.ShutdownTimeout to finish. If listener is nil, it listens on cfg.Port.
func run(ctx context.Context, cfg Config, logger *slog.Logger, listener net.Listener) error {
	var ready atomic.Bool
	srv := &http.Server{
		Handler:           newHandler(cfg, &ready, logger),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	if listener == nil {
		var err error
		listener, err = net.Listen("tcp", ":"+cfg.Port)
		if err != nil {
			return fmt.Errorf("listen on port %s: %w", cfg.Port, err)
		}
	}
	errs := make(chan error, 1)
	go func() { errs <- srv.Serve(listener) }()
	ready.Store(true)
	logger.Info("listening", "addr", listener.Addr().String(), "version", version, "revision", revision)

	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
	}
	ready.Store(false)
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown did not finish within %s: %w", cfg.ShutdownTimeout, err)
	}
	if err := <-errs; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}
