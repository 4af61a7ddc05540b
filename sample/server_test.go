// SPDX-License-Identifier: GPL-3.0-or-later

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test re-run this binary as the real program (see TestSIGTERM...).
func TestMain(m *testing.M) {
	if os.Getenv("DOCC_SAMPLE_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func quietLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

func get(t *testing.T, h http.Handler, path string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s: body is not JSON: %q", path, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s: Content-Type %q", path, ct)
	}
	return rec.Code, body
}

func TestEndpoints(t *testing.T) {
	var ready atomic.Bool
	ready.Store(true)
	h := newHandler(Config{Greeting: "hi there"}, &ready, quietLogger())

	if code, body := get(t, h, "/"); code != 200 || body["message"] != "hi there" {
		t.Errorf("/ = %d %v", code, body)
	}
	if code, body := get(t, h, "/healthz"); code != 200 || body["status"] != "ok" {
		t.Errorf("/healthz = %d %v", code, body)
	}
	if code, body := get(t, h, "/readyz"); code != 200 || body["status"] != "ready" {
		t.Errorf("/readyz = %d %v", code, body)
	}
	code, body := get(t, h, "/version")
	if code != 200 || body["version"] != version || body["revision"] != revision || !strings.HasPrefix(body["go_version"].(string), "go") {
		t.Errorf("/version = %d %v", code, body)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/nope", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("/nope = %d, want 404", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/healthz", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz = %d, want 405", rec.Code)
	}
}

func TestReadyzIsUnavailableWhileDraining(t *testing.T) {
	var ready atomic.Bool // false: draining
	h := newHandler(Config{}, &ready, quietLogger())
	if code, body := get(t, h, "/readyz"); code != http.StatusServiceUnavailable || body["status"] != "draining" {
		t.Errorf("/readyz while draining = %d %v", code, body)
	}
	if code, _ := get(t, h, "/healthz"); code != 200 {
		t.Errorf("/healthz while draining = %d, want 200 (alive, just not ready)", code)
	}
}

func TestRequestsAreLoggedAsJSON(t *testing.T) {
	var buf bytes.Buffer
	var ready atomic.Bool
	h := newHandler(Config{}, &ready, slog.New(slog.NewJSONHandler(&buf, nil)))
	get(t, h, "/healthz")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log line is not JSON: %q", buf.String())
	}
	if line["msg"] != "request" || line["path"] != "/healthz" || line["status"] != float64(200) || line["method"] != "GET" {
		t.Errorf("log line = %v", line)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	cfg, err := configFromEnv(getenv)
	if err != nil || cfg.Port != "8080" || cfg.ShutdownTimeout != 10*time.Second {
		t.Fatalf("defaults = %+v, %v", cfg, err)
	}
	env["PORT"], env["SHUTDOWN_TIMEOUT"] = "9090", "3s"
	if cfg, err = configFromEnv(getenv); err != nil || cfg.Port != "9090" || cfg.ShutdownTimeout != 3*time.Second {
		t.Fatalf("overrides = %+v, %v", cfg, err)
	}
	for _, bad := range []map[string]string{{"PORT": "http"}, {"PORT": "70000"}, {"SHUTDOWN_TIMEOUT": "soon"}, {"SHUTDOWN_TIMEOUT": "-1s"}} {
		env = bad
		if _, err := configFromEnv(getenv); err == nil {
			t.Errorf("configFromEnv(%v) accepted bad input", bad)
		}
	}
}

func TestRunShutsDownWithinTheTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, Config{ShutdownTimeout: 2 * time.Second}, quietLogger(), ln) }()
	url := "http://" + ln.Addr().String()
	waitFor(t, url+"/readyz", 200)

	// An idle keep-alive connection must not hold the shutdown up.
	client := &http.Client{Transport: &http.Transport{}}
	resp, err := client.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("run did not return within the shutdown timeout")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("shutdown took %s", took)
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func TestSIGTERMStopsTheProgramGracefully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "DOCC_SAMPLE_RUN_MAIN=1", "PORT="+itoa(port), "SHUTDOWN_TIMEOUT=2s")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "http://127.0.0.1:"+itoa(port)+"/healthz", 200)
	healthcheck := exec.Command(exe, "-healthcheck")
	healthcheck.Env = append(os.Environ(), "DOCC_SAMPLE_RUN_MAIN=1", "PORT="+itoa(port))
	if err := healthcheck.Run(); err != nil {
		t.Errorf("-healthcheck against a live server failed: %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, out.String())
		}
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("no exit within 5s of SIGTERM\n%s", out.String())
	}
	if !strings.Contains(out.String(), `"msg":"stopped"`) {
		t.Errorf("no 'stopped' log line:\n%s", out.String())
	}

	healthcheck = exec.Command(exe, "-healthcheck")
	healthcheck.Env = append(os.Environ(), "DOCC_SAMPLE_RUN_MAIN=1", "PORT="+itoa(port))
	if err := healthcheck.Run(); err == nil {
		t.Error("-healthcheck succeeded against a stopped server")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func waitFor(t *testing.T, url string, status int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == status {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not answer %d within 5s", url, status)
}
