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

package render

// schemaCase is a KafkaMirrorMaker (one YAML or JSON document, without a namespace) and the
// lines `render` prints for it after "default/<name>: ", in order; none for a valid resource.
// TestSchemaValidation checks the lines without a cluster; TestParityWithAPIServer sends the
// same documents to a real API server and compares what it answers with what render prints.
type schemaCase struct {
	name string
	doc  string
	want []string
}

// The first two are Strimzi 0.45.2's API test resources (KafkaMirrorMakerCrdIT) in substance:
// a resource missing consumer.bootstrapServers, producer and include, and a TLS client
// authentication without certificateAndKey.certificate and .key.
var schemaCases = []schemaCase{
	{
		name: "missing required properties",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata:
  name: test-kafka-mirror-maker
spec:
  replicas: 1
  consumer:
    groupId: my-source-group-id
`,
		want: []string{
			`<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found none valid`,
			`spec.consumer.bootstrapServers: Required value`,
			`spec.include: Required value`,
			`spec.producer: Required value`,
		},
	},
	{
		name: "TLS client authentication without certificate and key",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata:
  name: test-kafka-mirror-maker
spec:
  replicas: 1
  consumer:
    bootstrapServers: my-source-kafka:9093
    groupId: my-source-group-id
    tls:
      trustedCertificates:
      - {secretName: my-secret, certificate: ca.crt}
    authentication:
      type: tls
      certificateAndKey: {secretName: my-user-secret, key: user.key, certificate: user.crt}
  producer:
    bootstrapServers: my-target-kafka:9093
    tls:
      trustedCertificates:
      - {secretName: my-secret, certificate: ca.crt}
    authentication:
      type: tls
      certificateAndKey:
        secretName: my-user-secret
`,
		want: []string{
			`<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found none valid`,
			`spec.include: Required value`,
			`spec.producer.authentication.certificateAndKey.certificate: Required value`,
			`spec.producer.authentication.certificateAndKey.key: Required value`,
		},
	},
	{
		name: "wrong enum values",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata: {name: wrong-enum}
spec:
  replicas: 1
  include: ".*"
  consumer: {bootstrapServers: a:9092, groupId: g, authentication: {type: kerberos}}
  producer: {bootstrapServers: b:9092}
  logging: {type: verbose}
`,
		want: []string{
			`spec.consumer.authentication.type: Unsupported value: "kerberos": supported values: "tls", "scram-sha-256", "scram-sha-512", "plain", "oauth"`,
			`spec.logging.type: Unsupported value: "verbose": supported values: "inline", "external"`,
		},
	},
	{
		// The schema's minimum, then the scale subresource's own check of its replicas path.
		name: "negative replicas",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata: {name: negative-replicas}
spec:
  replicas: -1
  include: ".*"
  consumer: {bootstrapServers: a:9092, groupId: g}
  producer: {bootstrapServers: b:9092}
`,
		want: []string{
			`spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0`,
			`.spec.replicas: Invalid value: -1: should be a non-negative integer`,
		},
	},
	{
		// The CRD's oneOf admits include or whitelist, not both.
		name: "both include and whitelist",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata: {name: include-and-whitelist}
spec:
  replicas: 1
  include: ".*"
  whitelist: "old.*"
  consumer: {bootstrapServers: a:9092, groupId: g}
  producer: {bootstrapServers: b:9092}
`,
		want: []string{
			`<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found 2 valid alternatives`,
		},
	},
	{
		// fieldValidation=Strict: unknown fields are a decoding error (400), and the API server
		// stops there: the negative replicas is not reported.
		name: "unknown fields",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata:
  name: unknown-fields
  labelz: {a: b}
spec:
  replicas: -1
  replica: 2
  include: ".*"
  consumer: {bootstrapServers: a:9092, groupId: g, groupID: h}
  producer: {bootstrapServers: b:9092}
  template:
    pod:
      tolerations: [{key: a, operator: Exists, tolerationSecond: 5}]
`,
		want: []string{
			`metadata.labelz: unknown field "metadata.labelz"`,
			`spec.consumer.groupID: unknown field "spec.consumer.groupID"`,
			`spec.replica: unknown field "spec.replica"`,
			`spec.template.pod.tolerations[0].tolerationSecond: unknown field "spec.template.pod.tolerations[0].tolerationSecond"`,
		},
	},
	{
		name: "wrong types",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata: {name: wrong-types}
spec:
  replicas: "2"
  include: ".*"
  consumer: {bootstrapServers: a:9092, groupId: g, numStreams: many}
  producer: {bootstrapServers: [b:9092]}
`,
		want: []string{
			`spec.consumer.numStreams: Invalid value: "string": spec.consumer.numStreams in body must be of type integer: "string"`,
			`spec.producer.bootstrapServers: Invalid value: "array": spec.producer.bootstrapServers in body must be of type string: "array"`,
			`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`,
			`.spec.replicas: Invalid value: 0: .spec.replicas accessor error: 2 is of the type string, expected int64`,
		},
	},
	{
		name: "patterns, minimums and oneOf in lists",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata: {name: nested}
spec:
  replicas: 1
  include: ".*"
  consumer:
    bootstrapServers: a:9092
    groupId: g
    numStreams: 0
    tls:
      trustedCertificates:
      - {secretName: s}
      - {secretName: s, certificate: ca.crt, pattern: "*.crt"}
      - {certificate: ca.crt}
  producer: {bootstrapServers: b:9092}
  resources: {limits: {memory: 1Gx}}
`,
		want: []string{
			`<nil>: Invalid value: "": "spec.consumer.tls.trustedCertificates[0]" must validate one and only one schema (oneOf). Found none valid`,
			`<nil>: Invalid value: "": "spec.consumer.tls.trustedCertificates[1]" must validate one and only one schema (oneOf). Found 2 valid alternatives`,
			`spec.consumer.numStreams: Invalid value: 0: spec.consumer.numStreams in body should be greater than or equal to 1`,
			`spec.consumer.tls.trustedCertificates[0].certificate: Required value`,
			`spec.consumer.tls.trustedCertificates[2].secretName: Required value`,
			`spec.resources.limits.memory: Invalid value: "1Gx": spec.resources.limits.memory in body should match '^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$'`,
		},
	},
	{
		name: "invalid name",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata: {name: My_Mirror}
spec:
  replicas: 1
  include: ".*"
  consumer: {bootstrapServers: a:9092, groupId: g}
  producer: {bootstrapServers: b:9092}
`,
		want: []string{
			`metadata.name: Invalid value: "My_Mirror": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
		},
	},
	{
		name: "no name, invalid label",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata: {labels: {"team a": x}}
spec:
  replicas: 1
  include: ".*"
  consumer: {bootstrapServers: a:9092, groupId: g}
  producer: {bootstrapServers: b:9092}
`,
		want: []string{
			`metadata.name: Required value: name or generateName is required`,
			`metadata.labels: Invalid value: "team a": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
		},
	},
	{
		name: "malformed metadata",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata: {name: malformed-metadata, labels: app}
spec:
  replicas: 1
  include: ".*"
  consumer: {bootstrapServers: a:9092, groupId: g}
  producer: {bootstrapServers: b:9092}
`,
		want: []string{
			`json: cannot unmarshal string into Go struct field ObjectMeta.labels of type map[string]string`,
		},
	},
	{
		// JSON goes to the API server as it is: a duplicate field is a strict decoding error.
		// (kubectl and render convert YAML to JSON first, the last duplicate winning.)
		name: "duplicate field in JSON",
		doc:  `{"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaMirrorMaker", "metadata": {"name": "duplicate"}, "spec": {"replicas": 1, "include": ".*", "replicas": 2, "consumer": {"bootstrapServers": "a:9092", "groupId": "g"}, "producer": {"bootstrapServers": "b:9092"}}}`,
		want: []string{
			`spec.replicas: duplicate field "spec.replicas"`,
		},
	},
	{
		// Valid: nulls the schema does not allow are dropped, and status is not the create's
		// to set (but its unknown fields still count).
		name: "nulls and status",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata: {name: nulls-and-status, generation: -3}
spec:
  replicas: 1
  include: ".*"
  consumer: {bootstrapServers: a:9092, groupId: g, authentication: null}
  producer: {bootstrapServers: b:9092}
  logging: null
status: {replicas: -1}
`,
	},
	{
		name: "unknown field in status",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata: {name: status-unknown}
spec:
  replicas: 1
  include: ".*"
  consumer: {bootstrapServers: a:9092, groupId: g}
  producer: {bootstrapServers: b:9092}
status: {replica: 1}
`,
		want: []string{
			`status.replica: unknown field "status.replica"`,
		},
	},
	{
		// x-kubernetes-int-or-string is checked as the type "integer,string" (and by its anyOf);
		// nulls the schema does not allow are dropped from objects (the authentication, a
		// resource request, a name) but not from lists.
		name: "int-or-string and nulls",
		doc: `
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaMirrorMaker
metadata: {name: int-or-string-and-nulls}
spec:
  replicas: 1
  include: ".*"
  consumer: {bootstrapServers: a:9092, groupId: g, authentication: null}
  producer: {bootstrapServers: b:9092}
  resources: {limits: {memory: true, cpu: 2}, requests: {cpu: null}}
  template:
    pod:
      tolerations: [null]
      imagePullSecrets: [{name: null}]
`,
		want: []string{
			`<nil>: Invalid value: "": "spec.resources.limits.memory" must validate at least one schema (anyOf)`,
			`spec.resources.limits.memory: Invalid value: "boolean": spec.resources.limits.memory in body must be of type integer,string: "boolean"`,
			`spec.resources.limits.memory: Invalid value: "boolean": spec.resources.limits.memory in body must be of type integer: "boolean"`,
			`spec.template.pod.tolerations[0]: Invalid value: "null": spec.template.pod.tolerations[0] in body must be of type object: "null"`,
		},
	},
}
