// Command kwok-stages writes kwok's embedded stage manifests (from the kwok module itself,
// so they always match the kwok version built alongside) into a directory, one file per stage:
//
//	node-initialize.yaml, node-heartbeat-with-lease.yaml  (kwokctl's default node stages)
//	pod-ready.yaml, pod-complete.yaml, pod-delete.yaml    (kwok's "fast" pod stages)
//
// Usage: kwok-stages <dir>
package main

import (
	"fmt"
	"os"
	"path/filepath"

	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodeheartbeat "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat-with-lease"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: kwok-stages <dir>")
		os.Exit(2)
	}
	dir := os.Args[1]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stages := []struct{ name, yaml string }{
		{"node-initialize.yaml", nodefast.DefaultNodeInit},
		{"node-heartbeat-with-lease.yaml", nodeheartbeat.DefaultNodeHeartbeatWithLease},
		{"pod-ready.yaml", podfast.DefaultPodReady},
		{"pod-complete.yaml", podfast.DefaultPodComplete},
		{"pod-delete.yaml", podfast.DefaultPodDelete},
	}
	for _, s := range stages {
		if err := os.WriteFile(filepath.Join(dir, s.name), []byte(s.yaml), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
