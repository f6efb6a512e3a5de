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

package config

import (
	"crypto/x509"
	"path/filepath"

	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kmm-operator/kmm-operator/pkg/mirror/oauth"
)

// saslResult is the SASL side of one connection.
type saslResult struct {
	mechanism sasl.Mechanism
	name      string // Kafka's sasl.mechanism
	summary   []string
}

// oauthSecretVars are the secret variables the config generator appends to the OAuth JAAS options,
// in its order (strimzi-kafkamirrormaker.md §6.3).
var oauthSecretVars = []struct{ variable, key string }{
	{"OAUTH_CLIENT_SECRET", oauth.KeyClientSecret},
	{"OAUTH_REFRESH_TOKEN", oauth.KeyRefreshToken},
	{"OAUTH_ACCESS_TOKEN", oauth.KeyAccessToken},
	{"OAUTH_PASSWORD_GRANT_PASSWORD", oauth.KeyPassword},
	{"OAUTH_CLIENT_ASSERTION", oauth.KeyClientAssertion},
}

// buildSASL maps KAFKA_MIRRORMAKER_SASL_MECHANISM_<S> and its companions to a franz-go mechanism
// (mirrormaker1-dataplane.md §8; strimzi-kafkamirrormaker.md §6.3): plain and scram-sha-* read
// the user name and the password file <base>/<side>-password/<secret>/<key>; oauth builds a token
// source from the JAAS options, the secret variables and the OAuth trusted certificates.
func (l *loader) buildSASL(s side) (*saslResult, error) {
	mech := l.get(s.v("SASL_MECHANISM"))
	switch mech {
	case "":
		return nil, nil
	case "plain", "scram-sha-256", "scram-sha-512":
		return l.passwordSASL(s, mech)
	case "oauth":
		return l.oauthSASL(s)
	}
	return nil, valueError(s.v("SASL_MECHANISM"), mech, "is not a supported SASL mechanism (plain, scram-sha-256, scram-sha-512, oauth)")
}

func (l *loader) passwordSASL(s side, mech string) (*saslResult, error) {
	user := l.get(s.v("SASL_USERNAME"))
	if user == "" {
		return nil, errorf(s.v("SASL_USERNAME"), "must be set for SASL mechanism %s", mech)
	}
	fileVar := s.v("SASL_PASSWORD_FILE")
	entry := l.get(fileVar)
	if entry == "" {
		return nil, errorf(fileVar, "must be set for SASL mechanism %s", mech)
	}
	pass, path, err := readPassword(fileVar, filepath.Join(l.base, s.name+"-password"), entry)
	if err != nil {
		return nil, err
	}
	r := &saslResult{}
	switch mech {
	case "plain":
		r.name = "PLAIN"
		r.mechanism = plain.Auth{User: user, Pass: pass}.AsMechanism()
	case "scram-sha-256":
		r.name = "SCRAM-SHA-256"
		r.mechanism = scram.Auth{User: user, Pass: pass}.AsSha256Mechanism()
	default:
		r.name = "SCRAM-SHA-512"
		r.mechanism = scram.Auth{User: user, Pass: pass}.AsSha512Mechanism()
	}
	r.summary = []string{"sasl.mechanism=" + r.name, "sasl.username=" + user, "sasl.password.file=" + path, "sasl.jaas.config=" + Hidden}
	return r, nil
}

func (l *loader) oauthSASL(s side) (*saslResult, error) {
	cfgVar := s.v("OAUTH_CONFIG")
	opts, err := oauth.ParseJAASOptions(l.get(cfgVar))
	if err != nil {
		return nil, &Error{Name: cfgVar, Reason: "is not a valid JAAS option list", Err: err}
	}
	for _, sv := range oauthSecretVars {
		if v := l.get(s.v(sv.variable)); v != "" {
			opts = append(opts, oauth.Option{Key: sv.key, Value: v})
		}
	}
	var roots *x509.CertPool
	var files []string
	certsVar := s.v("OAUTH_TRUSTED_CERTS")
	if entries := l.get(certsVar); entries != "" {
		dir := filepath.Join(l.base, s.name+"-oauth-certs")
		matched, err := matchEntries(dir, entries)
		if err != nil {
			return nil, &Error{Name: certsVar, Value: entries, Reason: "cannot be expanded", Err: err}
		}
		if len(matched) == 0 {
			// The image only points the OAuth client at a truststore that was created; with no
			// matching file Java falls back to the JVM's default trust (§6.2, §6.3).
			l.n.warn(certsVar, "matches no file below %s; the token endpoint is verified with the system roots, as the Java image does", dir)
		} else if roots, files, err = certPool(certsVar, dir, entries); err != nil {
			return nil, err
		}
	}
	ts, err := oauth.New(oauth.Config{Options: opts, Lookup: l.lookup, RootCAs: roots})
	if err != nil {
		return nil, &Error{Name: cfgVar, Reason: "invalid OAuth configuration", Err: err}
	}
	for _, w := range ts.Warnings() {
		l.n.warn(cfgVar, "%s", w)
	}
	for _, key := range ts.Ignored() {
		if why := oauth.IgnoredReason(key); why != "" {
			l.n.info(cfgVar+" option "+key, "ignored: %s", why)
		} else {
			l.n.info(cfgVar+" option "+key, "ignored: unknown to kmm-mirror")
		}
	}
	r := &saslResult{name: "OAUTHBEARER", mechanism: ts.Mechanism()}
	r.summary = append([]string{"sasl.mechanism=OAUTHBEARER", "sasl.jaas.config=" + Hidden}, ts.Summary()...)
	if len(files) > 0 {
		r.summary = append(r.summary, "oauth.ssl.truststore.certificates="+joinComma(files))
	}
	return r, nil
}
