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
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// property is one key/value pair of a Java properties text.
type property struct {
	Key, Value string
}

// errMalformedUnicode is java.util.Properties' complaint about a bad \uXXXX escape.
var errMalformedUnicode = errors.New(`malformed \uxxxx encoding`)

// parseProperties parses text with the rules of java.util.Properties.load, because the image
// appends KAFKA_MIRRORMAKER_CONFIGURATION_<S> verbatim to the file MirrorMaker 1 loads
// (mirrormaker1-dataplane.md §8, strimzi-kafkamirrormaker.md §6.3):
//
//   - natural lines end at \n, \r or \r\n; leading space, tab and form feed are skipped;
//   - a line whose first non-blank character is # or ! is a comment (and never continues);
//   - a line ending in an odd number of backslashes continues on the next line, whose leading
//     blanks are skipped;
//   - the key ends at the first unescaped '=', ':' or blank; blanks, then at most one '=' or ':',
//     then blanks are skipped before the value;
//   - escapes \t \n \r \f and \uXXXX are decoded, any other escaped character stands for itself.
//
// Duplicates keep the last value at the position of the first (Java's Properties is a hash table,
// so only "last wins" is observable). The text is read as UTF-8: Utils.loadProps reads the file as
// ISO-8859-1, which only differs for non-ASCII values.
func parseProperties(text string) ([]property, error) {
	var out []property
	index := map[string]int{}
	for _, line := range logicalLines([]rune(text)) {
		key, value, err := splitProperty(line)
		if err != nil {
			return nil, err
		}
		if i, ok := index[key]; ok {
			out[i].Value = value
			continue
		}
		index[key] = len(out)
		out = append(out, property{Key: key, Value: value})
	}
	return out, nil
}

func isPropBlank(c rune) bool { return c == ' ' || c == '\t' || c == '\f' }

// logicalLines is java.util.Properties.LineReader: it joins continued lines and drops blank and
// comment lines. A backslash before the end of input is dropped, as Java does.
func logicalLines(in []rune) [][]rune {
	var (
		lines              [][]rune
		line               []rune
		skipBlank          = true
		appendedLineBegin  = false
		precedingBackslash = false
		newLine            = true
		comment            = false
		skipLF             = false
	)
	for _, c := range in {
		if skipLF {
			skipLF = false
			if c == '\n' {
				continue
			}
		}
		if skipBlank {
			if isPropBlank(c) {
				continue
			}
			if !appendedLineBegin && (c == '\r' || c == '\n') {
				continue
			}
			skipBlank = false
			appendedLineBegin = false
		}
		if newLine {
			newLine = false
			if c == '#' || c == '!' {
				comment = true
				continue
			}
		}
		if c != '\n' && c != '\r' {
			if comment {
				continue
			}
			line = append(line, c)
			if c == '\\' {
				precedingBackslash = !precedingBackslash
			} else {
				precedingBackslash = false
			}
			continue
		}
		// End of a natural line.
		if comment || len(line) == 0 {
			comment = false
			newLine = true
			skipBlank = true
			line = nil
			continue
		}
		if precedingBackslash {
			line = line[:len(line)-1]
			skipBlank = true
			appendedLineBegin = true
			precedingBackslash = false
			if c == '\r' {
				skipLF = true
			}
			continue
		}
		lines = append(lines, line)
		line = nil
		newLine = true
		skipBlank = true
	}
	if len(line) > 0 && !comment {
		if precedingBackslash {
			line = line[:len(line)-1]
		}
		lines = append(lines, line)
	}
	return lines
}

// splitProperty splits one logical line into its decoded key and value (Properties.load0).
func splitProperty(line []rune) (string, string, error) {
	keyLen, valueStart := 0, len(line)
	hasSep, precedingBackslash := false, false
	for keyLen < len(line) {
		c := line[keyLen]
		if (c == '=' || c == ':') && !precedingBackslash {
			valueStart = keyLen + 1
			hasSep = true
			break
		}
		if isPropBlank(c) && !precedingBackslash {
			valueStart = keyLen + 1
			break
		}
		if c == '\\' {
			precedingBackslash = !precedingBackslash
		} else {
			precedingBackslash = false
		}
		keyLen++
	}
	for valueStart < len(line) {
		c := line[valueStart]
		if !isPropBlank(c) {
			if !hasSep && (c == '=' || c == ':') {
				hasSep = true
			} else {
				break
			}
		}
		valueStart++
	}
	key, err := unescapeProperty(line[:keyLen])
	if err != nil {
		return "", "", err
	}
	value, err := unescapeProperty(line[valueStart:])
	if err != nil {
		return "", "", err
	}
	return key, value, nil
}

// unescapeProperty is Properties.loadConvert.
func unescapeProperty(in []rune) (string, error) {
	out := make([]rune, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(in) {
			break
		}
		switch c = in[i]; c {
		case 'u':
			if i+4 >= len(in) {
				return "", errMalformedUnicode
			}
			v, err := strconv.ParseUint(string(in[i+1:i+5]), 16, 16)
			if err != nil {
				return "", errMalformedUnicode
			}
			r := rune(v)
			// Java strings are UTF-16: a \uD83D\uDE00 pair is one character.
			if n := len(out); n > 0 && utf16.IsSurrogate(out[n-1]) && utf16.IsSurrogate(r) {
				if pair := utf16.DecodeRune(out[n-1], r); pair != utf8.RuneError {
					out[n-1] = pair
					i += 4
					continue
				}
			}
			out = append(out, r)
			i += 4
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case 'n':
			out = append(out, '\n')
		case 'f':
			out = append(out, '\f')
		default:
			out = append(out, c)
		}
	}
	return string(out), nil
}
