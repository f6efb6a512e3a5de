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

package oauth

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// jwtTimes reads the exp and iat claims of a JWS compact token, as strimzi-kafka-oauth's
// TokenIntrospection does with Nimbus: three dot-separated base64url parts whose middle part is a
// JSON object. ok is false when token is not such a JWT or has no positive exp; the signature is
// not checked (the client only needs the expiry, the broker validates the token).
func jwtTimes(token string) (exp, iat time.Time, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return exp, iat, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return exp, iat, false
	}
	var claims struct {
		Exp json.Number `json:"exp"`
		Iat json.Number `json:"iat"`
	}
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return exp, iat, false
	}
	e, err := claims.Exp.Float64()
	if err != nil || e <= 0 {
		return exp, iat, false
	}
	exp = time.Unix(int64(e), 0)
	if i, err := claims.Iat.Float64(); err == nil && i > 0 {
		iat = time.Unix(int64(i), 0)
	}
	return exp, iat, true
}
