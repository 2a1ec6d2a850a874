package e2e

import (
	"fmt"
	"strings"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func errorf(format string, args ...interface{}) error { return fmt.Errorf(format, args...) }
