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

// Package render implements `kmm-operator render`: it reads KafkaMirrorMakers and the Secrets
// and ConfigMaps they reference from files, and prints the child objects the operator would
// create for them, without a cluster. It is the model (pkg/model) behind a command line, for
// GitOps previews and for debugging. Each KafkaMirrorMaker is first checked against the
// KafkaMirrorMaker CRD (artifacts/crds, embedded) the way the API server checks it on
// `kubectl apply` (pkg/crdschema), so that render gives the cluster's verdict.
package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/kmm-operator/kmm-operator/artifacts/crds"
	kafkav1beta2 "github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
	"github.com/kmm-operator/kmm-operator/pkg/crdschema"
	"github.com/kmm-operator/kmm-operator/pkg/model"
)

// Exit codes of the render command.
const (
	ExitOK              = 0
	ExitValidationError = 1 // at least one KafkaMirrorMaker failed the CRD schema's or the model's validation
	ExitBadInput        = 2 // unreadable input or bad usage
)

// DefaultNamespace is given to input objects that have no namespace, as kubectl would.
const DefaultNamespace = "default"

// Options are the parsed command-line options.
type Options struct {
	Files  []string
	Output string // yaml or json
}

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

// Run executes `render` with args (without the subcommand name) and returns the exit code.
// Operator settings that change rendering (image map, pull policy, ...) are the operator's flags
// (model.SettingFlags), falling back to the same Strimzi variables through lookupEnv.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files fileList
	fs.Var(&files, "f", "file with KafkaMirrorMakers and the Secrets/ConfigMaps they reference (YAML or JSON, multi-document); '-' reads stdin; repeatable")
	output := fs.String("o", "yaml", "output format: yaml or json")
	validateOnly := fs.Bool("validate-only", false, "validate only: print no objects, only the messages on stderr, and exit with the same code")
	settingFlags := model.SettingFlagValues{}
	settingFlags.Register(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: kmm-operator render -f FILE [-f FILE ...] [-o yaml|json] [--validate-only] [operator rendering flags]\n\n"+
			"Prints, for each KafkaMirrorMaker in the input, the ServiceAccount, ConfigMap,\n"+
			"PodDisruptionBudget and Deployment the operator would apply, as a v1 List.\n"+
			"Each KafkaMirrorMaker is first validated against the KafkaMirrorMaker CRD as the\n"+
			"API server does on kubectl apply; its errors are printed as \"<namespace>/<name>:\n"+
			"<field>: <message>\" on stderr, with exit code 1.\n"+
			"The operator's rendering settings are the same flags as `kmm-operator run` has\n"+
			"(--kafka-mirror-maker-images, --image-pull-policy, ...), with the same environment\n"+
			"variables as fallbacks (STRIMZI_KAFKA_MIRROR_MAKER_IMAGES, STRIMZI_IMAGE_PULL_POLICY, ...).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitBadInput
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "render: unexpected argument %q; input files are given with -f\n", fs.Arg(0))
		return ExitBadInput
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "render: no input; give at least one -f FILE (or -f - for stdin)")
		return ExitBadInput
	}
	if *output != "yaml" && *output != "json" {
		fmt.Fprintf(stderr, "render: -o %q is not supported; use yaml or json\n", *output)
		return ExitBadInput
	}
	settings, err := settingFlags.Settings(lookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "render: %v\n", err)
		return ExitBadInput
	}

	in := newInputs()
	for _, f := range files {
		if err := in.readFile(f, stdin); err != nil {
			fmt.Fprintf(stderr, "render: %v\n", err)
			return ExitBadInput
		}
	}

	var validator *crdschema.Validator
	if len(in.mirrorMakers) > 0 {
		if validator, err = crdschema.NewFromYAML([]byte(crds.KafkaMirrorMakersYAML), kafkav1beta2.SchemeGroupVersion.Version); err != nil {
			fmt.Fprintf(stderr, "render: the embedded KafkaMirrorMaker CRD: %v\n", err)
			return ExitBadInput
		}
	}

	list, failures, notices := renderAll(in, validator, settings)
	for _, n := range notices {
		fmt.Fprintln(stderr, n)
	}
	for _, f := range failures {
		fmt.Fprintln(stderr, f)
	}
	if *validateOnly {
		if len(failures) > 0 {
			return ExitValidationError
		}
		return ExitOK
	}
	if err := write(stdout, list, *output); err != nil {
		fmt.Fprintf(stderr, "render: writing output: %v\n", err)
		return ExitBadInput
	}
	if len(failures) > 0 {
		return ExitValidationError
	}
	return ExitOK
}

// inputs holds the decoded input: KafkaMirrorMakers in input order, Secrets and ConfigMaps by
// namespace/name.
type inputs struct {
	mirrorMakers []mirrorMakerDoc
	secrets      map[string]*corev1.Secret
	configMaps   map[string]*corev1.ConfigMap
}

// mirrorMakerDoc is a KafkaMirrorMaker as read: its JSON, as kubectl would send it to the API
// server, is only decoded after the CRD schema's validation.
type mirrorMakerDoc struct {
	raw             []byte
	namespace, name string // for messages; namespace is DefaultNamespace when the input has none
}

func newInputs() *inputs {
	return &inputs{secrets: map[string]*corev1.Secret{}, configMaps: map[string]*corev1.ConfigMap{}}
}

func (in *inputs) readFile(name string, stdin io.Reader) error {
	var r io.Reader
	display := name
	if name == "-" {
		r, display = stdin, "<stdin>"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	reader := utilyaml.NewYAMLOrJSONDecoder(bufio.NewReader(r), 4096)
	for i := 1; ; i++ {
		var raw json.RawMessage
		if err := reader.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("%s: document %d: %v", display, i, err)
		}
		if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
			continue
		}
		if err := in.add(raw); err != nil {
			return fmt.Errorf("%s: document %d: %v", display, i, err)
		}
	}
}

// add decodes one document. Kinds other than KafkaMirrorMaker, Secret, ConfigMap and List are
// skipped: a manifest directory may hold anything.
func (in *inputs) add(raw []byte) error {
	var tm struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Items      []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(raw, &tm); err != nil {
		return fmt.Errorf("not a Kubernetes object: %v", err)
	}
	if tm.Kind == "" {
		return fmt.Errorf("no kind: not a Kubernetes object")
	}
	gv, err := schema.ParseGroupVersion(tm.APIVersion)
	if err != nil {
		return fmt.Errorf("apiVersion %q: %v", tm.APIVersion, err)
	}
	switch {
	case gv == kafkav1beta2.SchemeGroupVersion && tm.Kind == "KafkaMirrorMaker":
		// Only the name and namespace are read here, leniently: everything else, malformed
		// metadata included, is the schema validation's to report, per resource.
		var m struct {
			Metadata any `json:"metadata"`
		}
		_ = json.Unmarshal(raw, &m)
		doc := mirrorMakerDoc{raw: raw, namespace: DefaultNamespace}
		if md, ok := m.Metadata.(map[string]any); ok {
			if ns, ok := md["namespace"].(string); ok && ns != "" {
				doc.namespace = ns
			}
			doc.name, _ = md["name"].(string)
		}
		in.mirrorMakers = append(in.mirrorMakers, doc)
	case gv.Group == kafkav1beta2.SchemeGroupVersion.Group && tm.Kind == "KafkaMirrorMaker":
		return fmt.Errorf("KafkaMirrorMaker %s is not supported; only %s is served", tm.APIVersion, kafkav1beta2.SchemeGroupVersion)
	case gv == corev1.SchemeGroupVersion && tm.Kind == "Secret":
		var s corev1.Secret
		if err := decodeStrict(raw, &s); err != nil {
			// The error may quote the input; never echo Secret content.
			return fmt.Errorf("Secret: cannot decode (content not shown)")
		}
		applyStringData(&s)
		if s.Namespace == "" {
			s.Namespace = DefaultNamespace
		}
		in.secrets[s.Namespace+"/"+s.Name] = &s
	case gv == corev1.SchemeGroupVersion && tm.Kind == "ConfigMap":
		var cm corev1.ConfigMap
		if err := decodeStrict(raw, &cm); err != nil {
			return fmt.Errorf("ConfigMap: %v", err)
		}
		if cm.Namespace == "" {
			cm.Namespace = DefaultNamespace
		}
		in.configMaps[cm.Namespace+"/"+cm.Name] = &cm
	case gv == corev1.SchemeGroupVersion && tm.Kind == "List":
		for j, item := range tm.Items {
			if err := in.add(item); err != nil {
				return fmt.Errorf("List item %d: %v", j+1, err)
			}
		}
	}
	return nil
}

// applyStringData merges stringData into data, as the API server does on write, so that the
// auth hash is computed over what the cluster would store.
func applyStringData(s *corev1.Secret) {
	if len(s.StringData) == 0 {
		return
	}
	if s.Data == nil {
		s.Data = map[string][]byte{}
	}
	for k, v := range s.StringData {
		s.Data[k] = []byte(v)
	}
	s.StringData = nil
}

type secretGetter struct {
	ns string
	in *inputs
}

func (g secretGetter) Get(name string) (*corev1.Secret, error) {
	if s, ok := g.in.secrets[g.ns+"/"+name]; ok {
		return s, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("secrets"), name)
}

type configMapGetter struct {
	ns string
	in *inputs
}

func (g configMapGetter) Get(name string) (*corev1.ConfigMap, error) {
	if cm, ok := g.in.configMaps[g.ns+"/"+name]; ok {
		return cm, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("configmaps"), name)
}

// renderAll validates every KafkaMirrorMaker against the CRD, then renders those that pass. It
// returns the objects, the validation failures and the notices (what the model ignores), each
// line prefixed with "<namespace>/<name>: ". A failure is one line per error the API server
// would give ("<field>: <message>"), or the model's "<Reason>: <message>".
func renderAll(in *inputs, validator *crdschema.Validator, s model.Settings) (items []runtime.Object, failures, notices []string) {
	for _, doc := range in.mirrorMakers {
		prefix := doc.namespace + "/" + doc.name + ": "
		kmm, errs := admit(validator, doc)
		if len(errs) > 0 {
			for _, e := range errs {
				failures = append(failures, prefix+e)
			}
			continue
		}
		r, err := model.Render(kmm, s, secretGetter{kmm.Namespace, in}, configMapGetter{kmm.Namespace, in})
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s/%s: %s", kmm.Namespace, kmm.Name, describe(err)))
			continue
		}
		for _, n := range r.Model.Notices() {
			notices = append(notices, fmt.Sprintf("%s/%s: warning: %s", kmm.Namespace, kmm.Name, n))
		}
		items = append(items, r.ServiceAccount, r.ConfigMap, r.PodDisruptionBudget, r.Deployment)
	}
	return items, failures, notices
}

// admit checks a KafkaMirrorMaker as the API server does when it is created with
// fieldValidation=Strict (kubectl apply): on success it returns the resource as the API server
// would store it (pruned, disallowed nulls dropped), decoded into the operator's types;
// otherwise the API server's errors, "<field>: <message>".
func admit(validator *crdschema.Validator, doc mirrorMakerDoc) (*kafkav1beta2.KafkaMirrorMaker, []string) {
	verdict, err := validator.Create(doc.raw, doc.namespace)
	if err != nil {
		return nil, []string{"InternalError: " + err.Error()}
	}
	if verdict.Code != crdschema.Created {
		errs := make([]string, 0, len(verdict.Errors))
		for _, e := range verdict.Errors {
			errs = append(errs, e.String())
		}
		return nil, errs
	}
	// What passed the schema decodes: a failure here is a mismatch between the CRD and the Go
	// types (pkg/apis), not the input's fault.
	raw, err := json.Marshal(verdict.Object)
	if err != nil {
		return nil, []string{"InternalError: " + err.Error()}
	}
	var kmm kafkav1beta2.KafkaMirrorMaker
	if err := decodeStrict(raw, &kmm); err != nil {
		return nil, []string{"InternalError: decoding into the operator's types: " + err.Error()}
	}
	return &kmm, nil
}

// describe formats a model error as "<Reason>: <message>"; any other error (which the model
// should not return) is reported with the reason InternalError.
func describe(err error) string {
	var me *model.Error
	if errors.As(err, &me) {
		return me.Reason + ": " + me.Message
	}
	return "InternalError: " + err.Error()
}

// write prints the objects as a v1 List. Fields that only a server fills in
// (creationTimestamp, an empty status) are left out so the output is what would be applied.
func write(w io.Writer, items []runtime.Object, format string) error {
	list := map[string]any{"apiVersion": "v1", "kind": "List", "items": []any{}}
	out := make([]any, 0, len(items))
	for _, obj := range items {
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return err
		}
		// Status is the server's to fill in.
		delete(u, "status")
		prune(u)
		out = append(out, u)
	}
	list["items"] = out
	switch format {
	case "json":
		b, err := json.MarshalIndent(list, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	default:
		b, err := yaml.Marshal(list)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
}

// prune removes null creationTimestamps and empty status and resources objects (Go structs
// that cannot be omitted), at any depth.
func prune(m map[string]any) {
	for k, v := range m {
		switch vv := v.(type) {
		case nil:
			if k == "creationTimestamp" {
				delete(m, k)
			}
		case map[string]any:
			if (k == "status" || k == "resources") && len(vv) == 0 {
				delete(m, k)
				continue
			}
			prune(vv)
			if k == "metadata" && len(vv) == 0 {
				delete(m, k)
			}
		case []any:
			for _, item := range vv {
				if im, ok := item.(map[string]any); ok {
					prune(im)
				}
			}
		}
	}
}

// decodeStrict decodes JSON into v the way the API server does (case-sensitive field names)
// and fails on unknown or duplicate fields, which the API server would reject or drop.
func decodeStrict(raw []byte, v any) error {
	strict, err := sigsjson.UnmarshalStrict(raw, v, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	if len(strict) > 0 {
		msgs := make([]string, 0, len(strict))
		for _, e := range strict {
			msgs = append(msgs, e.Error())
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}
