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
	"fmt"
	"regexp"
	"strings"
)

// checkJavaRegex accepts re only if Go's RE2 reads it as Java's java.util.regex.Pattern does,
// because MirrorMaker 1 compiles the include with Java and kgo matches with Go
// (mirrormaker1-dataplane.md §5, §9.1). It rejects:
//
//   - what Java rejects as well (a bare "*", "{" that is no repetition, ...): MirrorMaker 1 would
//     die at subscribe time (exit 255), kmm-mirror refuses to start;
//   - Java-only syntax Go cannot compile: look-around, atomic groups, possessive quantifiers,
//     back-references, Java escapes and properties such as \h, \R, \Z, \p{Alpha}, the x/d/u flags,
//     repetition counts above Go's 1000;
//   - Java syntax Go compiles with another meaning: nested character classes and POSIX brackets
//     ("[[:alpha:]]" is a union of characters in Java), class intersection "&&", \v (vertical
//     whitespace in Java, vertical tab in Go), the (?U) flag (Unicode classes in Java, ungreedy in
//     Go), multi-digit back-references and \0mnn octal escapes that Go reads as shorter octals.
func checkJavaRegex(re string) error {
	constructs, rejected := scanJavaRegex(re)
	if rejected != "" {
		return valueError(envInclude, "", "pattern %q is not a valid regular expression (Java rejects it too): %s", re, rejected)
	}
	_, err := regexp.Compile(anchored(re))
	switch {
	case err != nil && (len(constructs) > 0 || strings.Contains(err.Error(), "invalid repeat count")):
		return &Error{Name: envInclude, Reason: fmt.Sprintf("pattern %q uses Java-only regular expression syntax Go's regexp cannot compile", re), Err: err}
	case err != nil:
		return &Error{Name: envInclude, Reason: fmt.Sprintf("pattern %q is not a valid regular expression", re), Err: err}
	case len(constructs) > 0:
		return valueError(envInclude, "", "pattern %q uses Java regular expression syntax that Go's regexp would read differently: %s", re, strings.Join(constructs, "; "))
	}
	return nil
}

// scanJavaRegex walks re the way Java's Pattern parser does and returns the Java-specific
// constructs it contains and, if Java itself would reject re for a reason Go does not notice, why.
func scanJavaRegex(re string) (constructs []string, rejected string) {
	r := []rune(re)
	add := func(s string) { constructs = append(constructs, s) }
	classDepth := 0
	classStart := false // just after "[" or "[^": a "]" here is a literal
	for i := 0; i < len(r); i++ {
		c := r[i]
		atStart := classStart
		classStart = false
		if c == '\\' {
			n, what, bad := scanEscape(r, i, classDepth > 0)
			if bad != "" {
				return constructs, bad
			}
			if what != "" {
				add(what)
			}
			i += n - 1
			continue
		}
		if classDepth > 0 {
			switch {
			case c == '[':
				add("nested character class or POSIX bracket \"[\" inside a class (a union in Java)")
				classDepth++
				classStart = true
				if i+1 < len(r) && r[i+1] == '^' {
					i++
				}
			case c == '&' && i+1 < len(r) && r[i+1] == '&':
				add("character class intersection \"&&\"")
				i++
			case c == ']' && !atStart:
				classDepth--
			}
			continue
		}
		switch c {
		case '[':
			classDepth = 1
			classStart = true
			if i+1 < len(r) && r[i+1] == '^' {
				i++
			}
		case '(':
			if i+1 < len(r) && r[i+1] == '?' {
				i += scanGroupFlags(r, i+2, add)
			}
		case '*', '+', '?':
			if i+1 < len(r) && r[i+1] == '+' {
				add("possessive quantifier \"" + string(c) + "+\"")
				i++
			}
		case '{':
			end := repetitionEnd(r, i)
			if end < 0 {
				return constructs, "\"{\" does not start a repetition {n}, {n,} or {n,m}"
			}
			i = end
			if i+1 < len(r) && r[i+1] == '+' {
				add("possessive quantifier \"}+\"")
				i++
			}
		}
	}
	return constructs, ""
}

// scanGroupFlags looks at what follows "(?" at r[j:] and returns how many runes it consumed.
func scanGroupFlags(r []rune, j int, add func(string)) int {
	rest := string(r[j:])
	switch {
	case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"):
		add("look-ahead \"(?" + rest[:1] + "\"")
		return 2
	case strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
		add("look-behind \"(?" + rest[:2] + "\"")
		return 3
	case strings.HasPrefix(rest, ">"):
		add("atomic group \"(?>\"")
		return 2
	case strings.HasPrefix(rest, "<"):
		return 1 // named group: same in Go
	}
	k := j
	for k < len(r) && r[k] != ')' && r[k] != ':' {
		switch r[k] {
		case 'U':
			add("flag (?U) (Unicode character classes in Java, ungreedy in Go)")
		case 'x', 'd', 'u', 'c':
			add("flag (?" + string(r[k]) + ")")
		}
		k++
	}
	return k - j + 1
}

// repetitionEnd returns the index of the "}" closing the repetition that starts at r[i] == '{',
// or -1 when it is not {n}, {n,} or {n,m}, which Java rejects and Go reads as literal text.
func repetitionEnd(r []rune, i int) int {
	j := i + 1
	digits := func() int {
		n := 0
		for j < len(r) && r[j] >= '0' && r[j] <= '9' {
			j++
			n++
		}
		return n
	}
	if digits() == 0 {
		return -1
	}
	if j < len(r) && r[j] == ',' {
		j++
		digits()
	}
	if j < len(r) && r[j] == '}' {
		return j
	}
	return -1
}

// scanEscape classifies the escape at r[i] == '\\' and returns how many runes it spans, the
// Java-specific construct it is (if any) and why Java rejects it (if it does).
func scanEscape(r []rune, i int, inClass bool) (n int, construct, rejected string) {
	if i+1 >= len(r) {
		return 1, "", ""
	}
	c := r[i+1]
	isOctal := func(k int) bool { return k < len(r) && r[k] >= '0' && r[k] <= '7' }
	switch {
	case c == 'Q':
		end := strings.Index(string(r[i+2:]), `\E`)
		if end < 0 {
			return len(r) - i, "", ""
		}
		return 2 + len([]rune(string(r[i+2:])[:end])) + 2, "", ""
	case c >= '1' && c <= '9' && !inClass:
		return 2, "back-reference \"\\" + string(c) + "\"", ""
	case c == '0':
		if !isOctal(i + 2) {
			return 2, "", "\\0 must be followed by an octal digit"
		}
		if r[i+2] <= '3' && isOctal(i+3) && isOctal(i+4) {
			return 5, "octal escape \"" + string(r[i:i+5]) + "\" (Go reads only two digits after \\0)", ""
		}
		return 2, "", ""
	case c == 'k' && i+2 < len(r) && r[i+2] == '<':
		return 3, "named back-reference \"\\k<\"", ""
	case strings.ContainsRune("vVhHRXGZecuN", c):
		return 2, "Java escape \"\\" + string(c) + "\"", ""
	case c == 'p' || c == 'P':
		if i+2 < len(r) && r[i+2] == '{' {
			end := strings.IndexRune(string(r[i+2:]), '}')
			if end < 0 {
				return 2, "", ""
			}
			prop := string(r[i : i+2+len([]rune(string(r[i+2:])[:end]))+1])
			if _, err := regexp.Compile(prop); err != nil {
				return len([]rune(prop)), "Java character property \"" + prop + "\"", ""
			}
			return len([]rune(prop)), "", ""
		}
	}
	return 2, "", ""
}
