/*
Copyright The kmm-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package metrics

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// clientMetrics counts the operator's own requests to the API server by verb, resource and
// status code, so API economy (zero requests in a steady state) can be measured from outside.
type clientMetrics struct {
	requests *prometheus.CounterVec
}

func newClientMetrics(r prometheus.Registerer) *clientMetrics {
	c := &clientMetrics{requests: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kmm_client_requests_total",
		Help: "Requests the operator sent to the Kubernetes API server, by verb, resource and HTTP status code",
	}, []string{"verb", "resource", "code"})}
	r.MustRegister(c.requests)
	return c
}

// ClientRequests returns the request counter (labels verb, resource, code).
func (m *Metrics) ClientRequests() *prometheus.CounterVec { return m.client.requests }

// WrapTransport returns a rest.Config WrapTransport function that counts every request.
func (m *Metrics) WrapTransport(rt http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := rt.RoundTrip(req)
		code := "error"
		if err == nil {
			code = strconv.Itoa(resp.StatusCode)
		}
		verb, resource := requestVerb(req)
		m.client.requests.WithLabelValues(verb, resource, code).Inc()
		return resp, err
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// requestVerb maps an HTTP request to a Kubernetes verb (get, list, watch, create, update,
// patch, apply, delete) and the resource (with subresource, e.g. "deployments/scale").
func requestVerb(req *http.Request) (verb, resource string) {
	resource = resourceFromPath(req.URL.Path)
	q := req.URL.Query()
	switch req.Method {
	case http.MethodGet:
		switch {
		case q.Get("watch") == "true" || q.Get("watch") == "1":
			verb = "watch"
		case isCollection(req.URL.Path):
			verb = "list"
		default:
			verb = "get"
		}
	case http.MethodPost:
		verb = "create"
	case http.MethodPut:
		verb = "update"
	case http.MethodPatch:
		verb = "patch"
		if strings.HasPrefix(req.Header.Get("Content-Type"), "application/apply-patch") {
			verb = "apply"
		}
	case http.MethodDelete:
		verb = "delete"
	default:
		verb = strings.ToLower(req.Method)
	}
	return verb, resource
}

// resourceFromPath extracts "resource[/subresource]" from /api/v1/namespaces/ns/secrets/name or
// /apis/group/version/namespaces/ns/resource/name/subresource.
func resourceFromPath(p string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		parts = parts[3:]
	default:
		return "other"
	}
	if len(parts) >= 2 && parts[0] == "namespaces" && len(parts) > 2 {
		parts = parts[2:]
	}
	switch len(parts) {
	case 0:
		return "other"
	case 1, 2:
		return parts[0]
	default:
		return parts[0] + "/" + parts[2]
	}
}

func isCollection(p string) bool {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		parts = parts[3:]
	default:
		return false
	}
	if len(parts) >= 2 && parts[0] == "namespaces" && len(parts) > 2 {
		parts = parts[2:]
	}
	return len(parts) == 1
}
