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
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// DefaultLabelsExclusionPattern is Strimzi's default STRIMZI_LABELS_EXCLUSION_PATTERN: labels of
// the custom resource matching it are not copied to the objects generated for it.
const DefaultLabelsExclusionPattern = `(^app.kubernetes.io/(?!part-of).*|^kustomize.toolkit.fluxcd.io.*)`

// LabelPattern matches label keys against a Java regular expression the way Strimzi does
// (Matcher.matches, so the whole key must match).
//
// Go's RE2 engine has no lookaround, yet Strimzi's default pattern needs a negative lookahead.
// A pattern is therefore taken apart into its top-level alternatives (after removing groups that
// enclose the whole pattern); each alternative may contain one top-level negative lookahead
// "before(?!ahead)after". Such an alternative matches a key when, at some split of the key, the
// head fully matches before, the tail does not start with a match of ahead and the tail fully
// matches after. Alternatives without a lookahead, and patterns without one, are plain RE2.
// Lookbehind, positive lookahead, atomic groups and lookaheads nested in groups are rejected.
type LabelPattern struct {
	source string
	alts   []labelAlternative
}

type labelAlternative struct {
	whole  *regexp.Regexp // set when the alternative has no lookahead
	lead   *regexp.Regexp // before, anchored at the start only: no match means no split works
	before *regexp.Regexp
	ahead  *regexp.Regexp
	after  *regexp.Regexp
}

// ParseLabelPattern compiles a Java regular expression such as STRIMZI_LABELS_EXCLUSION_PATTERN.
func ParseLabelPattern(javaRegex string) (*LabelPattern, error) {
	groups, err := scanPattern(javaRegex)
	if err != nil {
		return nil, fmt.Errorf("label exclusion pattern %q: %v", javaRegex, err)
	}
	p := &LabelPattern{source: javaRegex}
	if len(groups.lookarounds) == 0 {
		re, err := regexp.Compile(`^(?:` + javaRegex + `)$`)
		if err != nil {
			return nil, fmt.Errorf("label exclusion pattern %q: %v", javaRegex, err)
		}
		p.alts = []labelAlternative{{whole: re}}
		return p, nil
	}
	body := unwrapGroups(javaRegex)
	for _, alt := range splitAlternatives(body) {
		a, err := compileAlternative(alt)
		if err != nil {
			return nil, fmt.Errorf("label exclusion pattern %q: %v", javaRegex, err)
		}
		p.alts = append(p.alts, a)
	}
	return p, nil
}

// MustParseLabelPattern is ParseLabelPattern for patterns known to be valid.
func MustParseLabelPattern(javaRegex string) *LabelPattern {
	p, err := ParseLabelPattern(javaRegex)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the Java regular expression the pattern was parsed from.
func (p *LabelPattern) String() string {
	if p == nil {
		return ""
	}
	return p.source
}

// Matches reports whether the whole key matches the pattern. A nil pattern matches nothing.
func (p *LabelPattern) Matches(key string) bool {
	if p == nil {
		return false
	}
	for i := range p.alts {
		if p.alts[i].matches(key) {
			return true
		}
	}
	return false
}

func (a *labelAlternative) matches(key string) bool {
	if a.whole != nil {
		return a.whole.MatchString(key)
	}
	if !a.lead.MatchString(key) {
		return false
	}
	for i := 0; i <= len(key); i++ {
		if i < len(key) && !utf8.RuneStart(key[i]) {
			continue
		}
		if !a.before.MatchString(key[:i]) || a.ahead.MatchString(key[i:]) {
			continue
		}
		if a.after.MatchString(key[i:]) {
			return true
		}
	}
	return false
}

func compileAlternative(alt string) (labelAlternative, error) {
	g, err := scanPattern(alt)
	if err != nil {
		return labelAlternative{}, err
	}
	var top []span
	for _, l := range g.lookarounds {
		if l.kind != "(?!" || l.depth != 0 {
			return labelAlternative{}, fmt.Errorf("unsupported construct %q at offset %d: only one top-level negative lookahead per alternative is supported", l.kind, l.start)
		}
		top = append(top, l)
	}
	if len(top) == 0 {
		re, err := regexp.Compile(`^(?:` + alt + `)$`)
		if err != nil {
			return labelAlternative{}, err
		}
		return labelAlternative{whole: re}, nil
	}
	if len(top) > 1 {
		return labelAlternative{}, fmt.Errorf("alternative %q has more than one negative lookahead", alt)
	}
	l := top[0]
	var a labelAlternative
	parts := []struct {
		re   **regexp.Regexp
		expr string
	}{
		{&a.lead, `^(?:` + alt[:l.start] + `)`},
		{&a.before, `^(?:` + alt[:l.start] + `)$`},
		{&a.ahead, `^(?:` + alt[l.start+3:l.end] + `)`},
		{&a.after, `^(?:` + alt[l.end+1:] + `)$`},
	}
	for _, part := range parts {
		re, err := regexp.Compile(part.expr)
		if err != nil {
			return labelAlternative{}, err
		}
		*part.re = re
	}
	return a, nil
}

// span is a lookaround group: kind is its opening ("(?!", "(?=", "(?<=", "(?<!", "(?>"), start
// the offset of its "(", end the offset of its ")", depth the number of groups enclosing it.
type span struct {
	kind       string
	start, end int
	depth      int
}

type scanResult struct {
	lookarounds []span
	// closeOf maps the offset of every "(" to the offset of its ")".
	closeOf map[int]int
	// bars are the offsets of "|" outside any group and character class.
	bars []int
}

// scanPattern walks a Java regular expression, skipping escapes, \Q...\E quotes and character
// classes, and records its groups, lookarounds and top-level alternation bars.
func scanPattern(p string) (scanResult, error) {
	res := scanResult{closeOf: map[int]int{}}
	type open struct {
		pos  int
		kind string
	}
	var stack []open
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '\\':
			if i+1 < len(p) && p[i+1] == 'Q' {
				end := strings.Index(p[i+2:], `\E`)
				if end < 0 {
					i = len(p)
				} else {
					i += 2 + end + 1
				}
				continue
			}
			i++
		case '[':
			end, err := skipClass(p, i)
			if err != nil {
				return res, err
			}
			i = end
		case '(':
			kind := "("
			for _, k := range []string{"(?<=", "(?<!", "(?!", "(?=", "(?>"} {
				if strings.HasPrefix(p[i:], k) {
					kind = k
					break
				}
			}
			stack = append(stack, open{pos: i, kind: kind})
		case ')':
			if len(stack) == 0 {
				return res, fmt.Errorf("unmatched ')' at offset %d", i)
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			res.closeOf[o.pos] = i
			if o.kind != "(" {
				res.lookarounds = append(res.lookarounds, span{kind: o.kind, start: o.pos, end: i, depth: len(stack)})
			}
		case '|':
			if len(stack) == 0 {
				res.bars = append(res.bars, i)
			}
		}
	}
	if len(stack) != 0 {
		return res, fmt.Errorf("unclosed group at offset %d", stack[len(stack)-1].pos)
	}
	return res, nil
}

// skipClass returns the offset of the "]" closing the character class opened at p[start]. Java
// allows a "]" right after "[" or "[^" as a literal, and nested classes.
func skipClass(p string, start int) (int, error) {
	depth := 0
	for i := start; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '[':
			depth++
			if i+1 < len(p) && p[i+1] == '^' {
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				i++
			}
		case ']':
			depth--
			if depth == 0 {
				return i, nil
			}
		}
	}
	return 0, fmt.Errorf("unclosed character class at offset %d", start)
}

// unwrapGroups removes capturing or non-capturing groups that enclose the whole pattern.
func unwrapGroups(p string) string {
	for {
		res, err := scanPattern(p)
		if err != nil || len(p) < 2 || p[0] != '(' || res.closeOf[0] != len(p)-1 {
			return p
		}
		switch {
		case strings.HasPrefix(p, "(?:"):
			p = p[3 : len(p)-1]
		case strings.HasPrefix(p, "(?"):
			return p
		default:
			p = p[1 : len(p)-1]
		}
	}
}

func splitAlternatives(p string) []string {
	res, err := scanPattern(p)
	if err != nil {
		return []string{p}
	}
	var out []string
	prev := 0
	for _, b := range res.bars {
		out = append(out, p[prev:b])
		prev = b + 1
	}
	return append(out, p[prev:])
}
