package text

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestNoChineseOutsideTheStrings: every word a resident reads comes from assets/i18n, so the code
// that draws screens, lays out printouts and words device problems holds no Chinese string
// literals (the technician's --help in cmd/hallkiosk is not a resident's screen). Punctuation used to join strings (：、【】) is allowed; the ID-card decoder's tables
// (nations, card types) are data from the standard, and form's stored answer values are data too.
func TestNoChineseOutsideTheStrings(t *testing.T) {
	dirs := []string{"../ui", "../ui/selfservice", "../ui/window", "../ui/disclosure", "../docs", "../devtext",
		"../apply", "../flow"}
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			file, err := parser.ParseFile(fset, f, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				for _, r := range v {
					if unicode.Is(unicode.Han, r) {
						t.Errorf("%s: Chinese string literal %s: put it in assets/i18n/zh-CN.toml", fset.Position(lit.Pos()), lit.Value)
						break
					}
				}
				return true
			})
		}
	}
}
