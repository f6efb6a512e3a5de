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

package model

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf16"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kmm-operator/kmm-operator/pkg/apis/kafka/v1beta2"
)

// LoggingHash returns the strimzi.io/logging-hash annotation for a log4j.properties text: the first
// 8 hex digits of its SHA-1, computed over the text as US-ASCII like Strimzi's Util.hashStub.
func LoggingHash(log4jProperties string) string {
	return hashStub(log4jProperties)
}

// hashStub returns the first 8 hex digits of the SHA-1 of s encoded as US-ASCII, where every
// character outside ASCII becomes '?' (two for a character beyond the Basic Multilingual Plane,
// one per UTF-16 unit, as Java encodes it).
func hashStub(s string) string {
	sum := sha1.Sum(javaASCII(s))
	return hex.EncodeToString(sum[:4])
}

func javaASCII(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			b = append(b, byte(r))
		case r > 0xFFFF:
			b = append(b, '?', '?')
		default:
			b = append(b, '?')
		}
	}
	return b
}

// javaHashCode is Java's String.hashCode: h = 31*h + c over the UTF-16 units, with int32
// wrap-around.
func javaHashCode(s string) int32 {
	var h int32
	for _, r := range s {
		if r > 0xFFFF {
			hi, lo := utf16.EncodeRune(r)
			h = 31*h + int32(hi)
			h = 31*h + int32(lo)
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

// AuthHash computes the strimzi.io/auth-hash annotation as Strimzi's VertxUtil.authTlsHash does:
// a Java int sum over the consumer and the producer of String.hashCode of the base64 text of the
// referenced Secret values. It changes whenever a referenced certificate, key, password or OAuth
// secret changes, which rolls the Pods. Referenced Secrets and keys must exist.
func AuthHash(m *MirrorMaker, secrets SecretGetter) (string, error) {
	h := &hasher{namespace: m.Namespace(), secrets: secrets}
	consumer, err := h.side(m.spec.Consumer.TLS, m.spec.Consumer.Authentication)
	if err != nil {
		return "", err
	}
	producer, err := h.side(m.spec.Producer.TLS, m.spec.Producer.Authentication)
	if err != nil {
		return "", err
	}
	return strconv.Itoa(int(consumer + producer)), nil
}

type hasher struct {
	namespace string
	secrets   SecretGetter
}

// get returns the Secret, or nil when it does not exist (or no getter was given).
func (h *hasher) get(name string) (*corev1.Secret, error) {
	if h.secrets == nil {
		return nil, nil
	}
	s, err := h.secrets.Get(name)
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading Secret %s/%s: %w", h.namespace, name, err)
	}
	return s, nil
}

// validated returns the Secret after checking that it exists and holds every key.
func (h *hasher) validated(name string, keys ...string) (*corev1.Secret, error) {
	s, err := h.get(name)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, invalidConfiguration("Secret %s not found in namespace %s", name, h.namespace)
	}
	var missing []string
	for _, k := range keys {
		if _, ok := s.Data[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, invalidConfiguration("Items with key(s) %s are missing in Secret %s", javaList(missing), name)
	}
	return s, nil
}

func b64(v []byte) string {
	return base64.StdEncoding.EncodeToString(v)
}

func (h *hasher) side(tls *v1beta2.ClientTLS, auth *v1beta2.KafkaClientAuthentication) (int32, error) {
	var trusted []v1beta2.CertSecretSource
	if tls != nil {
		trusted = tls.TrustedCertificates
	}
	if auth != nil && auth.Type == v1beta2.AuthenticationTypeOAuth {
		return h.oauth(trusted, auth)
	}
	tlsHash, err := h.certificates(trusted)
	if err != nil {
		return 0, err
	}
	if auth == nil {
		return tlsHash, nil
	}
	switch auth.Type {
	case v1beta2.AuthenticationTypeScramSha256, v1beta2.AuthenticationTypeScramSha512, v1beta2.AuthenticationTypePlain:
		ps := auth.PasswordSecret
		if ps == nil {
			return tlsHash, nil
		}
		s, err := h.validated(ps.SecretName, ps.Password)
		if err != nil {
			return 0, err
		}
		return javaHashCode(b64(s.Data[ps.Password])) + tlsHash, nil
	case v1beta2.AuthenticationTypeTLS:
		ck := auth.CertificateAndKey
		if ck == nil {
			return tlsHash, nil
		}
		s, err := h.validated(ck.SecretName, ck.Certificate, ck.Key)
		if err != nil {
			return 0, err
		}
		cert := b64([]byte(b64(s.Data[ck.Certificate])))
		key := b64([]byte(b64(s.Data[ck.Key])))
		return javaHashCode(cert) + javaHashCode(key) + tlsHash, nil
	}
	return tlsHash, nil
}

// oauth hashes the OAuth trusted certificates, the side's trusted certificates and the access
// token, client secret and refresh token. The password and client assertion are not hashed.
func (h *hasher) oauth(trusted []v1beta2.CertSecretSource, auth *v1beta2.KafkaClientAuthentication) (int32, error) {
	var sum int32
	for _, c := range auth.TLSTrustedCertificates {
		v, err := h.certificate(c)
		if err != nil {
			return 0, err
		}
		sum += v
	}
	tlsHash, err := h.certificates(trusted)
	if err != nil {
		return 0, err
	}
	sum += tlsHash
	for _, g := range []*v1beta2.GenericSecretSource{auth.AccessToken, auth.ClientSecret, auth.RefreshToken} {
		if g == nil {
			continue
		}
		s, err := h.get(g.SecretName)
		if err != nil {
			return 0, err
		}
		if s == nil {
			return 0, newError(ReasonNoStackTraceThrowable, "Secret %s not found", g.SecretName)
		}
		v, ok := s.Data[g.Key]
		if !ok {
			return 0, newError(ReasonNullPointer, `Cannot invoke "String.hashCode()" because the return value of "java.util.Map.get(Object)" is null`)
		}
		sum += javaHashCode(b64(v))
	}
	return sum, nil
}

func (h *hasher) certificates(certs []v1beta2.CertSecretSource) (int32, error) {
	var sum int32
	for _, c := range certs {
		v, err := h.certificate(c)
		if err != nil {
			return 0, err
		}
		sum += v
	}
	return sum, nil
}

// certificate hashes one trusted certificate entry: the certificate's value, or the sorted,
// concatenated values of every key matching the glob pattern.
func (h *hasher) certificate(c v1beta2.CertSecretSource) (int32, error) {
	switch {
	case c.Certificate != nil:
		s, err := h.validated(c.SecretName, *c.Certificate)
		if err != nil {
			return 0, err
		}
		return javaHashCode(b64(s.Data[*c.Certificate])), nil
	case c.Pattern != nil:
		s, err := h.validated(c.SecretName)
		if err != nil {
			return 0, err
		}
		glob, err := compileGlob(*c.Pattern)
		if err != nil {
			return 0, err
		}
		var values []string
		for k, v := range s.Data {
			if glob.MatchString(k) {
				values = append(values, b64(v))
			}
		}
		sort.Strings(values)
		return javaHashCode(strings.Join(values, "")), nil
	default:
		return 0, errNoCertificateOrPattern()
	}
}

// compileGlob translates a glob into a regular expression as Java's default file system does for
// FileSystem.getPathMatcher("glob:..."): "*" and "?" do not cross "/", "**" does, "[...]" and
// "[!...]" are character classes, "{a,b}" alternatives (not nested) and "\" escapes. Syntax
// errors are reported as Java's PatternSyntaxException messages.
func compileGlob(glob string) (*regexp.Regexp, error) {
	if re, ok := globCache.Load(glob); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := translateGlob(glob)
	if err != nil {
		return nil, err
	}
	if globCacheSize.Add(1) > globCacheLimit {
		globCache.Clear()
		globCacheSize.Store(0)
	}
	globCache.Store(glob, re)
	return re, nil
}

// The compiled globs of trusted certificate patterns, kept across reconciliations because the
// same few patterns ("*.crt") are hashed on every one; the cache is emptied when it grows beyond
// globCacheLimit entries.
var (
	globCache      sync.Map
	globCacheSize  atomic.Int64
	globCacheLimit int64 = 1024
)

func translateGlob(glob string) (*regexp.Regexp, error) {
	g := []rune(glob)
	fail := func(desc string, index int) error {
		return newError(ReasonPatternSyntax, "%s", javaPatternSyntaxMessage(desc, glob, index))
	}
	next := func(i int) rune {
		if i < len(g) {
			return g[i]
		}
		return 0
	}
	var re strings.Builder
	re.WriteString("^")
	inGroup := false
	for i := 0; i < len(g); {
		c := g[i]
		i++
		switch c {
		case '\\':
			if i == len(g) {
				return nil, fail("No character to escape", i-1)
			}
			re.WriteString(regexp.QuoteMeta(string(g[i])))
			i++
		case '[':
			negate := false
			var items []string
			switch next(i) {
			case '^':
				items = append(items, `\^`)
				i++
			case '!':
				negate = true
				i++
				if next(i) == '-' {
					items = append(items, `\-`)
					i++
				}
			case '-':
				items = append(items, `\-`)
				i++
			}
			hasRangeStart := false
			var last rune
			closed := false
			for i < len(g) {
				c = g[i]
				i++
				if c == ']' {
					closed = true
					break
				}
				if c == '/' {
					return nil, fail("Explicit 'name separator' in class", i-1)
				}
				if c == '-' {
					if !hasRangeStart {
						return nil, fail("Invalid range", i-1)
					}
					c = next(i)
					i++
					if c == 0 || c == ']' {
						items = append(items, `\-`)
						closed = c == ']'
						break
					}
					if c < last {
						return nil, fail("Invalid range", i-3)
					}
					items[len(items)-1] += "-" + classChar(c)
					hasRangeStart = false
					continue
				}
				items = append(items, classChar(c))
				hasRangeStart = true
				last = c
			}
			if !closed {
				return nil, fail("Missing ']", i-1)
			}
			switch {
			case negate:
				re.WriteString("[^/" + strings.Join(items, "") + "]")
			case len(items) == 0:
				re.WriteString(`[^\x00-\x{10FFFF}]`)
			default:
				re.WriteString("[" + strings.Join(items, "") + "]")
			}
		case '{':
			if inGroup {
				return nil, fail("Cannot nest groups", i-1)
			}
			re.WriteString("(?:(?:")
			inGroup = true
		case '}':
			if inGroup {
				re.WriteString("))")
				inGroup = false
			} else {
				re.WriteString(`\}`)
			}
		case ',':
			if inGroup {
				re.WriteString(")|(?:")
			} else {
				re.WriteString(",")
			}
		case '*':
			if next(i) == '*' {
				re.WriteString(".*")
				i++
			} else {
				re.WriteString("[^/]*")
			}
		case '?':
			re.WriteString("[^/]")
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if inGroup {
		return nil, fail("Missing '}", len(g)-1)
	}
	re.WriteString("$")
	compiled, err := regexp.Compile(re.String())
	if err != nil {
		return nil, fail(err.Error(), -1)
	}
	return compiled, nil
}

// classChar writes a character for use inside a regular expression character class.
func classChar(c rune) string {
	if c < 0x80 && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
		return fmt.Sprintf(`\x{%x}`, c)
	}
	return string(c)
}

// javaPatternSyntaxMessage renders a message as java.util.regex.PatternSyntaxException does.
func javaPatternSyntaxMessage(desc, pattern string, index int) string {
	var b strings.Builder
	b.WriteString(desc)
	if index >= 0 {
		b.WriteString(" near index ")
		b.WriteString(strconv.Itoa(index))
	}
	b.WriteString("\n")
	b.WriteString(pattern)
	if index >= 0 && index < len([]rune(pattern)) {
		b.WriteString("\n")
		b.WriteString(strings.Repeat(" ", index))
		b.WriteString("^")
	}
	return b.String()
}
