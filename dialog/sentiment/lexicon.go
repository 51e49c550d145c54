package sentiment

// kind is what a lexicon entry says about the caller.
type kind uint8

const (
	// kindProfanity: swearing and abuse. Never negated.
	kindProfanity kind = iota
	// kindInsult: calling the bank or the agent names (垃圾, 廢柴, 白痴).
	kindInsult
	// kindComplaint: exasperation and complaint (有冇搞錯, 等咗成個鐘).
	kindComplaint
	// kindEscalation: threats to go higher (經理, 投訴你, 消委會).
	kindEscalation
	// kindVeto: a phrase that contains a cue but is not one (倒垃圾, 好鬼凍,
	// 投訴熱線); its weight is zero and it hides the cues inside it.
	kindVeto
	// kindIntensifier: raises the score of a turn that has cues.
	kindIntensifier
	// kindPolite: lowers the score of a turn without profanity.
	kindPolite
)

// entry is one lexicon line. Patterns are HK Traditional Chinese and lower
// case English (text is folded to both before matching); '*' stands for up
// to four characters within one clause. English patterns match whole words.
type entry struct {
	pat string
	w   float64
	k   kind
}

// lexicon is the cue list. Weights are the chance, on the words alone,
// that a caller saying this is angry enough to tell a supervisor; a turn's
// cues combine as independent evidence (1 - Π(1-w)), so one complaint cue
// stays below the default threshold (0.6) and needs a second cue, an
// intensifier or angry prosody to cross it, while abuse and threats to
// escalate cross it alone.
var lexicon = []entry{
	// Profanity (粗口) and its soft spellings. 仆街 counts wherever it
	// stands, narrative included: the literal "fell over" is 仆親 or 跌親,
	// and on a call to a bank the word is rude however it is meant.
	{"屌", 0.85, kindProfanity}, {"𨳒", 0.85, kindProfanity}, {"𨶙", 0.8, kindProfanity},
	{"撚", 0.8, kindProfanity}, {"𨳊", 0.8, kindProfanity}, {"閪", 0.85, kindProfanity},
	{"鳩", 0.6, kindProfanity}, {"戇鳩", 0.8, kindProfanity},
	{"仆街", 0.65, kindProfanity}, {"撲街", 0.65, kindProfanity}, {"仆你個街", 0.85, kindProfanity},
	{"你個仆街", 0.85, kindProfanity}, {"你班仆街", 0.85, kindProfanity}, {"死仆街", 0.85, kindProfanity},
	{"冚家鏟", 0.85, kindProfanity}, {"冚家富貴", 0.85, kindProfanity}, {"含家鏟", 0.85, kindProfanity},
	{"你老母", 0.8, kindProfanity}, {"你老味", 0.8, kindProfanity}, {"頂你個肺", 0.8, kindProfanity},
	{"頂你", 0.6, kindProfanity}, {"食屎", 0.7, kindProfanity}, {"收皮", 0.65, kindProfanity},
	{"死開", 0.7, kindProfanity}, {"去死", 0.65, kindProfanity}, {"on9", 0.7, kindProfanity},
	{"柒頭", 0.75, kindProfanity}, {"好柒", 0.6, kindProfanity}, {"咁柒", 0.6, kindProfanity},
	{"扮柒", 0.6, kindProfanity}, {"柒人", 0.6, kindProfanity},
	{"他媽的", 0.75, kindProfanity}, {"媽的", 0.65, kindProfanity}, {"tmd", 0.7, kindProfanity},
	{"臥槽", 0.6, kindProfanity}, {"我靠", 0.5, kindProfanity}, {"傻逼", 0.8, kindProfanity},
	{"傻b", 0.8, kindProfanity}, {"王八蛋", 0.75, kindProfanity}, {"混蛋", 0.65, kindProfanity},
	{"fuck", 0.85, kindProfanity}, {"fucking", 0.85, kindProfanity}, {"fxxk", 0.85, kindProfanity},
	{"fk", 0.7, kindProfanity}, {"wtf", 0.7, kindProfanity}, {"shit", 0.6, kindProfanity},
	{"bullshit", 0.75, kindProfanity}, {"damn", 0.4, kindProfanity}, {"damn it", 0.55, kindProfanity},

	// Insults to the bank or the agent.
	{"垃圾", 0.5, kindInsult}, {"廢柴", 0.65, kindInsult}, {"廢物", 0.65, kindInsult},
	{"好廢", 0.55, kindInsult}, {"咁廢", 0.55, kindInsult}, {"廢到", 0.6, kindInsult},
	{"廢話", 0.35, kindInsult}, {"白痴", 0.65, kindInsult},
	{"白癡", 0.65, kindInsult}, {"弱智", 0.65, kindInsult}, {"低能", 0.6, kindInsult},
	{"黐線", 0.4, kindInsult}, {"痴線", 0.4, kindInsult}, {"戇居", 0.35, kindInsult},
	{"蠢", 0.35, kindInsult}, {"人渣", 0.7, kindInsult}, {"騙子", 0.6, kindInsult},
	{"黑店", 0.6, kindInsult}, {"吸血", 0.6, kindInsult}, {"流氓", 0.55, kindInsult},
	{"傻㗎", 0.55, kindInsult}, {"係咪傻", 0.6, kindInsult}, {"你傻", 0.45, kindInsult},
	{"冇腦", 0.6, kindInsult}, {"無腦", 0.6, kindInsult}, {"用下腦", 0.6, kindInsult},
	{"蠢材", 0.6, kindInsult},
	{"stupid", 0.5, kindInsult}, {"idiot", 0.7, kindInsult}, {"idiots", 0.7, kindInsult},
	{"useless", 0.5, kindInsult}, {"rubbish", 0.45, kindInsult}, {"trash", 0.45, kindInsult},
	{"incompetent", 0.5, kindInsult}, {"scam", 0.4, kindInsult}, {"liar", 0.5, kindInsult},
	{"liars", 0.5, kindInsult},

	// Complaint and exasperation.
	{"有冇搞錯", 0.6, kindComplaint}, {"有無搞錯", 0.6, kindComplaint}, {"搞乜鬼", 0.6, kindComplaint},
	{"搞乜嘢鬼", 0.6, kindComplaint}, {"搞咩鬼", 0.6, kindComplaint}, {"搞甚麼鬼", 0.6, kindComplaint},
	{"搞什麼鬼", 0.6, kindComplaint}, {"搞咩料", 0.5, kindComplaint}, {"搞乜料", 0.5, kindComplaint},
	{"搞錯", 0.25, kindComplaint},
	{"等咗成", 0.45, kindComplaint}, {"等咗*個鐘", 0.5, kindComplaint}, {"等咗成個鐘", 0.55, kindComplaint},
	{"等咗好耐", 0.45, kindComplaint}, {"等咗幾日", 0.4, kindComplaint}, {"等咗*個禮拜", 0.45, kindComplaint},
	{"等到而家", 0.35, kindComplaint}, {"等咗咁耐", 0.45, kindComplaint}, {"排咗成", 0.4, kindComplaint},
	{"打咗*次", 0.35, kindComplaint}, {"打咗好多次", 0.45, kindComplaint}, {"打咗幾多次", 0.5, kindComplaint},
	{"講咗*次", 0.5, kindComplaint}, {"講咗幾多次", 0.6, kindComplaint}, {"講咗好多次", 0.55, kindComplaint},
	{"講咗幾次", 0.45, kindComplaint}, {"講過*次", 0.45, kindComplaint}, {"同你講咗", 0.3, kindComplaint},
	{"我再講一次", 0.5, kindComplaint}, {"我再講多次", 0.5, kindComplaint}, {"講極都", 0.5, kindComplaint},
	{"第幾次", 0.35, kindComplaint}, {"又係咁", 0.35, kindComplaint}, {"成日都係咁", 0.4, kindComplaint},
	{"次次都係咁", 0.45, kindComplaint}, {"每次都係咁", 0.45, kindComplaint}, {"仲未搞掂", 0.35, kindComplaint},
	{"點解仲未", 0.3, kindComplaint}, {"點解仲係", 0.3, kindComplaint}, {"幾時先搞掂", 0.35, kindComplaint},
	{"離譜", 0.5, kindComplaint}, {"太離譜", 0.6, kindComplaint}, {"過份", 0.4, kindComplaint},
	{"過分", 0.4, kindComplaint}, {"太過份", 0.6, kindComplaint}, {"太過分", 0.6, kindComplaint},
	{"玩嘢", 0.45, kindComplaint}, {"玩我", 0.55, kindComplaint}, {"玩鬼", 0.6, kindComplaint},
	{"呃人", 0.5, kindComplaint}, {"呃錢", 0.55, kindComplaint}, {"呃我", 0.45, kindComplaint},
	{"騙錢", 0.5, kindComplaint}, {"老屈", 0.55, kindComplaint}, {"吹脹", 0.6, kindComplaint},
	{"激死", 0.45, kindComplaint}, {"激嬲", 0.5, kindComplaint}, {"我好嬲", 0.65, kindComplaint},
	{"我真係好嬲", 0.65, kindComplaint}, {"嬲爆", 0.65, kindComplaint}, {"火滾", 0.65, kindComplaint},
	{"好火", 0.5, kindComplaint}, {"頂唔順", 0.45, kindComplaint}, {"忍無可忍", 0.6, kindComplaint},
	{"受夠", 0.55, kindComplaint}, {"夠未", 0.45, kindComplaint}, {"唔該你快啲", 0.5, kindComplaint},
	{"快啲啦", 0.3, kindComplaint}, {"快啲", 0.1, kindComplaint}, {"冇人理", 0.45, kindComplaint},
	{"無人理", 0.45, kindComplaint}, {"冇人覆", 0.35, kindComplaint}, {"冇人聽", 0.35, kindComplaint},
	{"踢嚟踢去", 0.5, kindComplaint}, {"轉嚟轉去", 0.4, kindComplaint}, {"推嚟推去", 0.5, kindComplaint},
	{"推卸", 0.45, kindComplaint}, {"卸膊", 0.45, kindComplaint}, {"唔負責任", 0.55, kindComplaint},
	{"不負責任", 0.55, kindComplaint}, {"態度好差", 0.55, kindComplaint}, {"態度差", 0.45, kindComplaint},
	{"咩態度", 0.55, kindComplaint}, {"乜態度", 0.55, kindComplaint}, {"服務好差", 0.45, kindComplaint},
	{"咁差", 0.35, kindComplaint}, {"差勁", 0.45, kindComplaint}, {"爛服務", 0.6, kindComplaint},
	{"咁爛", 0.35, kindComplaint}, {"冇用", 0.35, kindComplaint}, {"無用", 0.35, kindComplaint},
	{"識唔識做嘢", 0.6, kindComplaint}, {"識唔識做", 0.5, kindComplaint}, {"識唔識聽", 0.45, kindComplaint},
	{"聽唔明人講嘢", 0.6, kindComplaint}, {"你聽清楚", 0.4, kindComplaint}, {"醒少少", 0.4, kindComplaint},
	{"醒醒", 0.35, kindComplaint}, {"你講咩", 0.2, kindComplaint}, {"咩意思", 0.15, kindComplaint},
	{"嬲", 0.25, kindComplaint}, {"唔滿", 0.3, kindComplaint}, {"不滿", 0.3, kindComplaint},
	{"好失望", 0.35, kindComplaint}, {"失望", 0.25, kindComplaint}, {"夠喇", 0.2, kindComplaint},
	{"收線", 0.15, kindComplaint}, {"唔再用", 0.3, kindComplaint}, {"cut咗佢", 0.3, kindComplaint},
	{"ridiculous", 0.5, kindComplaint}, {"unacceptable", 0.55, kindComplaint}, {"terrible", 0.4, kindComplaint},
	{"worst", 0.5, kindComplaint}, {"nonsense", 0.4, kindComplaint}, {"joke", 0.3, kindComplaint},
	{"kidding me", 0.55, kindComplaint}, {"pissed", 0.6, kindComplaint}, {"angry", 0.45, kindComplaint},
	{"fed up", 0.55, kindComplaint}, {"sick of", 0.45, kindComplaint}, {"hopeless", 0.4, kindComplaint},
	{"disgusting", 0.5, kindComplaint}, {"what the hell", 0.6, kindComplaint}, {"hell", 0.3, kindComplaint},
	{"again and again", 0.35, kindComplaint},

	// Escalation: complaints, managers, regulators, police, press, courts.
	{"投訴", 0.3, kindEscalation}, {"我要投訴", 0.6, kindEscalation}, {"投訴你", 0.7, kindEscalation},
	{"投訴晒", 0.6, kindEscalation}, {"我會投訴", 0.6, kindEscalation}, {"一定*投訴", 0.6, kindEscalation},
	{"經理", 0.2, kindEscalation}, {"叫*經理出嚟", 0.7, kindEscalation}, {"搵*經理", 0.45, kindEscalation},
	{"叫*經理聽", 0.6, kindEscalation}, {"叫*上司", 0.6, kindEscalation}, {"叫*主管", 0.6, kindEscalation},
	{"叫個識嘢", 0.6, kindEscalation}, {"搵個識嘢", 0.5, kindEscalation}, {"叫個真人", 0.3, kindEscalation},
	{"報警", 0.35, kindEscalation}, {"消委會", 0.55, kindEscalation}, {"消費者委員會", 0.55, kindEscalation},
	{"金管局", 0.55, kindEscalation}, {"金融管理局", 0.55, kindEscalation}, {"申訴專員", 0.55, kindEscalation},
	{"金融糾紛調解中心", 0.4, kindEscalation}, {"證監會", 0.4, kindEscalation}, {"保監局", 0.4, kindEscalation},
	{"放上網", 0.55, kindEscalation}, {"爆上網", 0.6, kindEscalation},
	{"搵傳媒", 0.6, kindEscalation}, {"搵記者", 0.6, kindEscalation}, {"上報紙", 0.45, kindEscalation},
	{"告你", 0.6, kindEscalation}, {"搵律師", 0.5, kindEscalation}, {"律師信", 0.5, kindEscalation},
	{"入稟", 0.5, kindEscalation}, {"complain", 0.35, kindEscalation}, {"complaint", 0.3, kindEscalation},
	{"manager", 0.25, kindEscalation}, {"supervisor", 0.25, kindEscalation}, {"lawyer", 0.4, kindEscalation},
	{"sue", 0.55, kindEscalation}, {"hkma", 0.4, kindEscalation},

	// Added after the first labelled run (missing phrasings).
	{"廢", 0.3, kindInsult}, {"係廢", 0.5, kindInsult}, {"好鬼廢", 0.6, kindInsult},
	{"當我傻", 0.6, kindInsult}, {"當我白痴", 0.65, kindInsult}, {"當我水魚", 0.6, kindInsult},
	{"有沒有搞錯", 0.6, kindComplaint}, {"等了*個鐘", 0.5, kindComplaint}, {"等了很久", 0.45, kindComplaint},
	{"又係要我", 0.35, kindComplaint}, {"又要我等", 0.45, kindComplaint}, {"仲要我等", 0.45, kindComplaint},
	{"冇晒耐性", 0.5, kindComplaint}, {"冇耐性", 0.4, kindComplaint}, {"到底想點", 0.45, kindComplaint},
	{"究竟想點", 0.45, kindComplaint}, {"what a joke", 0.5, kindComplaint}, {"咁差勁", 0.5, kindComplaint},
	{"係咪玩嘢", 0.6, kindComplaint}, {"見*經理", 0.5, kindEscalation}, {"叫*manager", 0.6, kindEscalation},
	{"叫*supervisor", 0.6, kindEscalation}, {"want to complain", 0.5, kindEscalation}, {"就報警", 0.55, kindEscalation},
	{"想我報警", 0.55, kindEscalation}, {"真係冇用", 0.5, kindComplaint},
	{"再係咁", 0.15, kindIntensifier}, {"我而家就", 0.12, kindIntensifier}, {"又", 0.06, kindIntensifier},
	{"我好火", 0.6, kindComplaint}, {"老屈我", 0.6, kindComplaint}, {"究竟搞咩", 0.45, kindComplaint},
	{"去消委會", 0.6, kindEscalation}, {"去金管局", 0.6, kindEscalation}, {"搵金管局", 0.6, kindEscalation},
	{"worst service", 0.6, kindComplaint}, {"又要等", 0.35, kindComplaint}, {"有冇人呀", 0.35, kindComplaint},
	{"要投訴", 0.45, kindEscalation}, {"唔理*死活", 0.6, kindComplaint}, {"唔理客人", 0.45, kindComplaint},
	{"打咗成日", 0.4, kindComplaint}, {"低能兒", 0, kindVeto},
	{"廢除", 0, kindVeto}, {"廢水", 0, kindVeto}, {"廢氣", 0, kindVeto}, {"荒廢", 0, kindVeto},
	{"廢棄", 0, kindVeto}, {"半途而廢", 0, kindVeto}, {"殘廢", 0, kindVeto}, {"廢物回收", 0, kindVeto},
	{"廢紙回收", 0, kindVeto}, {"廢置", 0, kindVeto},

	// Added after the first held-out run: written forms (出來), accusations,
	// threats and insults the first list lacked.
	{"叫*經理出來", 0.7, kindEscalation}, {"叫*主管出來", 0.65, kindEscalation}, {"叫*上司出來", 0.65, kindEscalation},
	{"叫*老闆出嚟", 0.65, kindEscalation}, {"搵*老闆", 0.45, kindEscalation}, {"直接搵*老闆", 0.55, kindEscalation},
	{"無恥", 0.65, kindInsult}, {"冇恥", 0.65, kindInsult}, {"聾㗎", 0.6, kindInsult}, {"係咪聾", 0.6, kindInsult},
	{"傻仔", 0.4, kindInsult}, {"當我係傻", 0.6, kindInsult}, {"衰到", 0.5, kindInsult}, {"好衰", 0.35, kindInsult},
	{"爛銀行", 0.6, kindInsult}, {"爛公司", 0.6, kindInsult}, {"爛app", 0.55, kindInsult}, {"爛系統", 0.55, kindInsult},
	{"執笠", 0.35, kindInsult}, {"條友", 0.35, kindInsult}, {"唔想做", 0.3, kindComplaint},
	{"偷我錢", 0.6, kindComplaint}, {"偷咗我", 0.55, kindComplaint}, {"賠錢", 0.4, kindEscalation},
	{"推俾我", 0.45, kindComplaint}, {"等於冇講", 0.5, kindComplaint}, {"好心你", 0.45, kindComplaint},
	{"仲好意思", 0.5, kindComplaint}, {"搞成咁", 0.45, kindComplaint}, {"搞乜呀", 0.4, kindComplaint},
	{"搞咩呀", 0.35, kindComplaint}, {"搞唔掂", 0.2, kindComplaint}, {"日日都", 0.1, kindIntensifier},
	{"都有問題", 0.3, kindComplaint}, {"唔識聽", 0.45, kindComplaint}, {"聽唔聽到我講", 0.4, kindComplaint},
	{"好嬲", 0.4, kindComplaint}, {"我而家好嬲", 0.6, kindComplaint}, {"唔好逼我", 0.55, kindEscalation},
	{"逼我", 0.3, kindComplaint}, {"唔係我就", 0.15, kindIntensifier}, {"你最好", 0.15, kindIntensifier},
	{"frustrating", 0.5, kindComplaint}, {"frustrated", 0.5, kindComplaint}, {"for an hour", 0.35, kindComplaint},
	{"waiting for ages", 0.45, kindComplaint}, {"唔識做嘢", 0.5, kindComplaint}, {"識做嘢嘅人", 0.35, kindComplaint},
	{"冇人接", 0.35, kindComplaint}, {"冇人聽電話", 0.4, kindComplaint},

	// Broadened from general knowledge of Hong Kong complaint talk after the
	// second held-out run (competence, contempt, rhetorical questions,
	// demands, threats); anger_holdout3.tsv was written after this.
	{"唔識嘢", 0.45, kindInsult}, {"冇料", 0.45, kindInsult}, {"乜都唔識", 0.5, kindInsult},
	{"一問三唔知", 0.5, kindInsult}, {"唔專業", 0.5, kindInsult}, {"咁唔專業", 0.55, kindInsult},
	{"冇常識", 0.5, kindInsult}, {"冇誠意", 0.45, kindComplaint}, {"敷衍", 0.45, kindComplaint},
	{"打官腔", 0.5, kindComplaint}, {"官腔", 0.4, kindComplaint}, {"踢皮球", 0.5, kindComplaint},
	{"講嚟講去", 0.35, kindComplaint}, {"兜圈", 0.35, kindComplaint}, {"無良", 0.6, kindInsult},
	{"冇良心", 0.6, kindInsult}, {"搶錢", 0.55, kindComplaint}, {"食錢", 0.5, kindComplaint},
	{"奸商", 0.6, kindInsult}, {"蝦人", 0.5, kindComplaint}, {"欺負", 0.45, kindComplaint},
	{"有乜用", 0.4, kindComplaint}, {"有咩用", 0.4, kindComplaint}, {"有咩分別", 0.3, kindComplaint},
	{"咁都算", 0.4, kindComplaint}, {"正常咩", 0.4, kindComplaint}, {"係咪故意", 0.5, kindComplaint},
	{"故意", 0.25, kindComplaint}, {"你哋想點", 0.45, kindComplaint}, {"想點呀", 0.4, kindComplaint},
	{"講唔講道理", 0.5, kindComplaint}, {"冇道理", 0.4, kindComplaint}, {"豈有此理", 0.6, kindComplaint},
	{"冇王管", 0.5, kindComplaint}, {"無法無天", 0.5, kindComplaint}, {"限你", 0.45, kindComplaint},
	{"我唔理", 0.35, kindComplaint}, {"唔理你", 0.35, kindComplaint}, {"我唔管", 0.35, kindComplaint},
	{"頂*唔順", 0.5, kindComplaint}, {"忍你哋", 0.45, kindComplaint}, {"激氣", 0.5, kindComplaint},
	{"好激氣", 0.55, kindComplaint}, {"嬲到", 0.5, kindComplaint}, {"氣死", 0.5, kindComplaint},
	{"好忟", 0.5, kindComplaint}, {"忟憎", 0.5, kindComplaint}, {"好煩", 0.3, kindComplaint},
	{"煩死", 0.35, kindComplaint}, {"受唔住", 0.45, kindComplaint}, {"永遠都係", 0.35, kindComplaint},
	{"一次又一次", 0.35, kindComplaint}, {"搞極都", 0.45, kindComplaint}, {"等極都", 0.45, kindComplaint},
	{"打極都", 0.45, kindComplaint}, {"又係唔得", 0.35, kindComplaint}, {"又話", 0.2, kindComplaint},
	{"笑死人", 0.4, kindComplaint}, {"服咗你", 0.4, kindComplaint}, {"搵*議員", 0.55, kindEscalation},
	{"立法會", 0.25, kindEscalation}, {"上報", 0.35, kindEscalation}, {"叫*律師", 0.55, kindEscalation},
	{"律師", 0.3, kindEscalation}, {"法律行動", 0.55, kindEscalation}, {"告上法庭", 0.6, kindEscalation},
	{"轉第二間銀行", 0.35, kindComplaint}, {"唔再幫襯", 0.45, kindComplaint}, {"以後都唔會", 0.3, kindComplaint},
	{"亂收", 0.5, kindComplaint}, {"亂扣", 0.5, kindComplaint}, {"無端端", 0.3, kindComplaint},
	{"無緣無故", 0.3, kindComplaint}, {"欺騙", 0.5, kindComplaint}, {"黑箱", 0.4, kindComplaint},
	{"死人銀行", 0.6, kindProfanity}, {"死人公司", 0.6, kindProfanity}, {"死人app", 0.6, kindProfanity},
	{"死人系統", 0.6, kindProfanity}, {"死人嘢", 0.45, kindProfanity},
	{"永遠都", 0.1, kindIntensifier}, {"從來都", 0.1, kindIntensifier}, {"每次都", 0.1, kindIntensifier},
	{"wrong with you", 0.55, kindComplaint}, {"you people", 0.35, kindComplaint}, {"unbelievable", 0.5, kindComplaint},
	{"pathetic", 0.6, kindInsult}, {"disgrace", 0.55, kindComplaint}, {"waste of time", 0.5, kindComplaint},
	{"not good enough", 0.4, kindComplaint}, {"are you serious", 0.45, kindComplaint}, {"i'm done", 0.4, kindComplaint},
	{"律師樓", 0, kindVeto}, {"做律師", 0, kindVeto}, {"律師朋友", 0, kindVeto},

	// Vetoes: everyday phrases holding a cue.
	{"倒垃圾", 0, kindVeto}, {"抌垃圾", 0, kindVeto}, {"掉垃圾", 0, kindVeto}, {"垃圾桶", 0, kindVeto},
	{"垃圾站", 0, kindVeto}, {"垃圾袋", 0, kindVeto}, {"垃圾車", 0, kindVeto}, {"垃圾郵件", 0, kindVeto},
	{"垃圾短訊", 0, kindVeto}, {"垃圾電話", 0, kindVeto}, {"垃圾食物", 0, kindVeto}, {"垃圾佬", 0, kindVeto},
	{"垃圾婆", 0, kindVeto}, {"垃圾房", 0, kindVeto}, {"垃圾徵費", 0, kindVeto}, {"垃圾分類", 0, kindVeto},
	{"廢紙", 0, kindVeto}, {"作廢", 0, kindVeto}, {"冇用過", 0, kindVeto}, {"無用過", 0, kindVeto},
	{"冇用晒", 0, kindVeto}, {"冇用到", 0, kindVeto}, {"有冇用", 0, kindVeto},
	{"投訴程序", 0, kindVeto}, {"投訴熱線", 0, kindVeto}, {"投訴表格", 0, kindVeto}, {"投訴進度", 0, kindVeto},
	{"投訴編號", 0, kindVeto}, {"投訴部", 0, kindVeto}, {"投訴渠道", 0, kindVeto}, {"投訴機制", 0, kindVeto},
	{"點樣投訴", 0, kindVeto}, {"點去投訴", 0, kindVeto}, {"如何投訴", 0, kindVeto}, {"跟進投訴", 0, kindVeto},
	{"查詢投訴", 0, kindVeto}, {"投訴咗", 0, kindVeto}, {"投訴個", 0, kindVeto}, {"complaint form", 0, kindVeto},
	{"經理人", 0, kindVeto}, {"客戶經理", 0, kindVeto}, {"理財經理", 0, kindVeto}, {"分行經理", 0, kindVeto},
	{"經理話", 0, kindVeto}, {"relationship manager", 0, kindVeto}, {"account manager", 0, kindVeto},
	{"報警電話", 0, kindVeto}, {"報咗警", 0, kindVeto}, {"快啲好", 0, kindVeto}, {"快啲搞掂", 0, kindVeto}, {"快啲處理", 0, kindVeto},
	{"搞錯咗", 0, kindVeto}, {"斑鳩", 0, kindVeto},
	{"嬲豬", 0, kindVeto}, {"不嬲", 0, kindVeto}, {"唔嬲", 0, kindVeto},
	{"好鬼凍", 0, kindVeto}, {"好鬼熱", 0, kindVeto}, {"失望咗", 0, kindVeto},
	{"joke返", 0, kindVeto}, {"頂你唔順", 0.45, kindComplaint},
	{"蠢蠢欲動", 0, kindVeto}, {"收線先", 0, kindVeto}, {"咪收線", 0, kindVeto},
	{"唔好收線", 0, kindVeto}, {"唔好cut", 0, kindVeto}, {"冇再用", 0, kindVeto},

	// Intensifiers.
	{"真係", 0.08, kindIntensifier}, {"究竟", 0.1, kindIntensifier}, {"到底", 0.1, kindIntensifier},
	{"根本", 0.1, kindIntensifier}, {"簡直", 0.12, kindIntensifier}, {"完全", 0.06, kindIntensifier},
	{"成日", 0.08, kindIntensifier}, {"次次", 0.08, kindIntensifier}, {"好鬼", 0.1, kindIntensifier},
	{"超級", 0.06, kindIntensifier}, {"極度", 0.1, kindIntensifier}, {"仲要", 0.05, kindIntensifier},
	{"嘩", 0.04, kindIntensifier}, {"喂", 0.05, kindIntensifier}, {"即刻", 0.06, kindIntensifier},
	{"而家即刻", 0.1, kindIntensifier}, {"seriously", 0.1, kindIntensifier}, {"really", 0.05, kindIntensifier},

	// Politeness.
	{"唔該", 0, kindPolite}, {"多謝", 0, kindPolite}, {"謝謝", 0, kindPolite}, {"麻煩你", 0, kindPolite},
	{"麻煩晒", 0, kindPolite}, {"請問", 0, kindPolite}, {"唔好意思", 0, kindPolite}, {"勞煩", 0, kindPolite},
	{"辛苦你", 0, kindPolite}, {"thank you", 0, kindPolite}, {"thanks", 0, kindPolite}, {"please", 0, kindPolite},
	{"sorry", 0, kindPolite},
}

// negators cancel a complaint, insult or escalation cue that follows them
// within negationGap characters of the same clause (唔係投訴, 冇話你哋垃圾),
// and so do hypotheticals (如果我要投訴). A negator inside an A-not-A
// question (係唔係, 有冇) does not count.
var negators = []string{
	"唔係", "不是", "唔想", "不想", "唔會", "不會", "唔使", "不用", "唔需要", "不需要",
	"冇", "沒有", "無", "並非", "冇話", "唔係話", "冇講過", "冇鬧", "如果", "假如", "萬一", "唔算", "未至於", "唔打算", "冇諗過", "not", "no", "don't", "dont",
}

// negationGap is how many characters may stand between a negator and the
// cue it cancels (唔係[想]投訴).
const negationGap = 2
