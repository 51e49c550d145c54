package search

import "strings"

// glossaryText lists English words that Hong Kong callers mix into
// Cantonese, each with the Chinese that articles use for it. A query word
// found here also gives the terms of its Chinese (so "credit card 唔見咗"
// finds an article about 信用卡); documents are expanded the same way.
const glossaryText = `account 戶口
balance 結餘
bank 銀行
bill 月結單
branch 分行
card 卡
cash 現金
credit 信用
deposit 存款
exchange 兌換
fee 費用
hours 時間
interest 利息
limit 限額
loan 貸款
lost 唔見
mortgage 按揭
password 密碼
rate 利率
record 紀錄
repayment 還款
statement 月結單
transaction 交易
transfer 轉賬`

// glossary maps an English word's hash to the terms of its Chinese.
type glossary map[uint64][]term

func newGlossary(c common) glossary {
	g := glossary{}
	tk := &tokenizer{common: c}
	for _, line := range strings.Split(glossaryText, "\n") {
		en, zh, ok := strings.Cut(line, " ")
		if ok {
			g[wordHash(en)] = tk.terms(nil, zh)
		}
	}
	return g
}
