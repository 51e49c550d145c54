// Package kbimport imports knowledge articles into a pack directory's kb/
// folder, as Markdown with front matter (id, title) in the pack's own format
// (see package dialog), from the documents a bank already has:
//
//   - CSV: a header row naming id, title and answer (any order); other
//     columns hold keywords (";"-separated too). UTF-8 with or without BOM;
//     quoted fields may span lines. Lines in messages are the row's first.
//   - Markdown: one article per file with front matter (id, title,
//     optional keywords), or a document cut at "## " headings (at "# " if
//     it has no "## "), each heading an article's title.
//   - .docx: word/document.xml, read with the standard library; paragraphs
//     styled Title/Heading1 and Heading2 are headings, cut as for Markdown.
//     Numbers in messages count paragraphs.
//   - PDF: text extracted with github.com/ledongthuc/pdf (objects,
//     FlateDecode streams, content operators) and this package's own
//     ToUnicode CMap reader, which CJK fonts need; headings are recognised
//     by font size. Numbers in messages count text lines. Scanned PDFs
//     (images, no text) are reported, not OCRed.
//
// A heading may end in "{#some-id}"; otherwise its id is made from its
// title, Chinese as toneless Jyutping (分行營業時間 → fan-hong-jing-jip-si-gaan).
// Text outside any article is an error rather than silently dropped.
//
// Import is all or nothing: every bad row, section or file is reported with
// its file and line (missing or malformed id, duplicate ids within the
// import or against the pack unless Options.Replace, empty title or answer,
// undecodable file) and nothing is written; otherwise the new kb/ is built in
// a staging directory inside the pack, the whole pack re-loaded from there
// with dialog.LoadPack, swapped in with two renames, and loaded once more,
// the old kb/ being restored if that fails. A lock file (.kbimport.lock)
// keeps a second import out meanwhile; a server reading the pack during the
// two renames may briefly see no kb/.
//
// It imports dialog, dialog/jyutping, gopkg.in/yaml.v3, github.com/ledongthuc/pdf
// and the standard library.
package kbimport
