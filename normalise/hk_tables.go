package normalise

// The yuecall calibration of OpenCC s2hk. OpenCC's HKVariants table follows the
// Hong Kong education glyph standard, but Hong Kong digital text (Big5-HKSCS
// heritage: banks, government sites, Common Voice zh-HK, HKCanCor) mostly keeps
// the OpenCC standard form for the characters below. Counts are key vs HK form
// over shared/data cv-zh-HK + cv-yue + HKCanCor (e.g. 戶 57 vs 户 2, 說 149 vs
// 説 34, 溫 52 vs 温 4, 搵 408 vs 揾 373); a mapping is dropped when the HK
// form is rarer than the key.
var hkVariantExclusions = []rune{
	'兌', '囪', '悅', '戶', '搵', '敘', '柺', '棱', '溫', '稅', '脫', '蔥',
	'衛', '說', '鉤', '銳', '閱',
}

// hkVariantSupplements are Hong Kong forms OpenCC's HKVariants lacks
// (麪 7 vs 麵 258 in the same corpus).
var hkVariantSupplements = map[rune]rune{
	'麪': '麵',
}

// cantonesePhrases override STPhrases for Simplified Cantonese recogniser
// output: the paraformer and SenseVoice models write the copula 係 as 系,
// which OpenCC keeps as 系 (system). Only contexts where 系 is the copula
// are listed; values are final Hong Kong forms.
var cantonesePhrases = map[string]string{
	"系唔系": "係唔係",
	"系咪":  "係咪",
	"唔系":  "唔係",
	"真系":  "真係",
	"即系":  "即係",
	"就系":  "就係",
	"都系":  "都係",
	"又系":  "又係",
	"只系":  "只係",
	"我系":  "我係",
	"你系":  "你係",
	"佢系":  "佢係",
	"我哋系": "我哋係",
	"你哋系": "你哋係",
	"佢哋系": "佢哋係",
	"系咁":  "係咁",
	"系噉":  "係噉",
	"系啊":  "係啊",
	"系呀":  "係呀",
	"系嘅":  "係嘅",
	"系喇":  "係喇",
	"系啦":  "係啦",
	"系咩":  "係咩",
	"系囉":  "係囉",
	"系嘞":  "係嘞",
	"系嘛":  "係嘛",
	// 喂 at the start of a call is "hello", not 餵 (feed).
	"喂你": "喂你",
	"喂我": "喂我",
}

// hkNative are characters that Hong Kong writing uses as they are although
// OpenCC converts them at character level. They neither convert nor count as
// Simplified evidence; STPhrases entries containing them (晒太阳 -> 曬太陽,
// 准备 -> 準備, 郁闷 -> 鬱悶) still apply.
//   - Simplified-only in OpenCC, but common in HK text: Cantonese 晒 (all) and
//     吓 (a bit; huh?), and the forms 群 床 峰 恒 (恒生) 霉 糍 揾. Counts HK form vs
//     OpenCC Traditional in the corpus above: 晒 452/87, 吓 268/48, 群 137/6,
//     峰 46/12, 床 31/3, 恒 11/16, 糍 7/0, 霉 2/0, 揾 373/408.
//   - Shared characters whose OpenCC default is wrong in Cantonese: 郁 (move,
//     not 鬱), 准 (唔准, not 準), 厘 (厘米, 厘士), 岩 (岩石).
var hkNative = []rune{'晒', '吓', '群', '床', '峰', '恒', '霉', '糍', '揾', '郁', '准', '厘', '岩'}
