package search_test

import (
	"testing"

	"github.com/yuecall/yuecall/dialog"
	"github.com/yuecall/yuecall/dialog/search"
)

func bankDocs(t testing.TB) []search.Doc {
	t.Helper()
	p, err := dialog.BankPack()
	if err != nil {
		t.Fatal(err)
	}
	var docs []search.Doc
	for _, a := range p.Articles() {
		docs = append(docs, search.Doc{ID: a.ID, Title: a.Title, Text: a.Body})
	}
	return docs
}
