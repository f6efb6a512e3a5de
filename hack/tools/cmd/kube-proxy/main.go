// Command kube-proxy is the upstream Service proxy built from k8s.io/kubernetes, for the local
// cluster's real node (hack/cluster/node.sh): it routes Pods' ClusterIP traffic, including the
// `kubernetes` Service the in-cluster operator talks to.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-proxy/app"
)

func main() {
	os.Exit(cli.Run(app.NewProxyCommand()))
}
