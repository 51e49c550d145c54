package main

import (
	"time"

	"github.com/yuecall/yuecall/media/webrtc"
)

// envVars is the one table of YUECALL_* variables: LoadConfig applies it and
// `yuecall config env` prints it for the README.
var envVars = []envVar{
	{"YUECALL_DATA_DIR", "data_dir", "~/.local/state/yuecall", "everything written to disk (JetStream store, prompt cache)", str(func(c *Config) *string { return &c.DataDir })},
	{"YUECALL_LOG_LEVEL", "log_level", "info", "debug, info, warn, error", str(func(c *Config) *string { return &c.LogLevel })},
	{"YUECALL_LOG_FORMAT", "log_format", "text", "text or json", str(func(c *Config) *string { return &c.LogFormat })},
	{"YUECALL_SHUTDOWN_TIMEOUT", "shutdown_timeout", "30s", "on SIGTERM, how long active calls may go on", duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"YUECALL_GC_PERCENT", "gc_percent", "40", "Go GC target for serve (GOGC wins if set): lower = less memory per call, more CPU", integer(func(c *Config) *int { return &c.GCPercent })},
	{"YUECALL_NATS_LISTEN", "nats.listen", "127.0.0.1:4222", "embedded NATS server address", str(func(c *Config) *string { return &c.NATS.Listen })},
	{"YUECALL_NATS_URL", "nats.url", "", "external NATS (e.g. nats://n1:4222,nats://n2:4222); disables the embedded server", str(func(c *Config) *string { return &c.NATS.URL })},
	{"YUECALL_NATS_JETSTREAM", "nats.jetstream", "true", "keep events durable in a JetStream stream", boolean(func(c *Config) *bool { return &c.NATS.JetStream })},
	{"YUECALL_SUBJECT_PREFIX", "nats.subject_prefix", "yuecall", "prefix of every NATS subject", str(func(c *Config) *string { return &c.NATS.SubjectPrefix })},
	{"YUECALL_SIP_ADDR", "sip.addr", "127.0.0.1:5060", "SIP listen address (UDP and TCP)", str(func(c *Config) *string { return &c.SIP.Addr })},
	{"YUECALL_SIP_TRANSPORTS", "sip.transports", "udp,tcp", "SIP transports", list(func(c *Config) *[]string { return &c.SIP.Transports })},
	{"YUECALL_SIP_PUBLIC_IP", "sip.public_ip", "(host of sip.addr)", "IP advertised in Contact and SDP", str(func(c *Config) *string { return &c.SIP.PublicIP })},
	{"YUECALL_RTP_IP", "sip.rtp_ip", "(host of sip.addr)", "IP that RTP sockets bind", str(func(c *Config) *string { return &c.SIP.RTPIP })},
	{"YUECALL_RTP_PORT_MIN", "sip.rtp_port_min", "20000", "first RTP port", integer(func(c *Config) *int { return &c.SIP.RTPPortMin })},
	{"YUECALL_RTP_PORT_MAX", "sip.rtp_port_max", "29999", "last RTP port", integer(func(c *Config) *int { return &c.SIP.RTPPortMax })},
	{"YUECALL_MAX_CALLS", "sip.max_calls", "2000", "concurrent calls before 503", integer(func(c *Config) *int { return &c.SIP.MaxCalls })},
	{"YUECALL_HTTP_ADDR", "http.addr", "127.0.0.1:8080", "/healthz and /metrics", str(func(c *Config) *string { return &c.HTTP.Addr })},
	{"YUECALL_PPROF", "http.pprof", "false", "serve Go's profiler at /debug/pprof/ (measuring only)", boolean(func(c *Config) *bool { return &c.HTTP.Pprof })},
	{"YUECALL_WEBRTC_PORT_MIN", "webrtc.ice.port_min", "30000", "first UDP port for browser calls", integer(func(c *Config) *int { return &c.WebRTC.ICE.PortMin })},
	{"YUECALL_WEBRTC_PORT_MAX", "webrtc.ice.port_max", "39999", "last UDP port for browser calls", integer(func(c *Config) *int { return &c.WebRTC.ICE.PortMax })},
	{"YUECALL_WEBRTC_INTERFACES", "webrtc.ice.interfaces", "(all)", "network interfaces to gather host candidates on, comma-separated", list(func(c *Config) *[]string { return &c.WebRTC.ICE.Interfaces })},
	{"YUECALL_WEBRTC_NAT_IPS", "webrtc.ice.nat_1to1_ips", "", "public IPs of a 1:1 NAT in front of this host", list(func(c *Config) *[]string { return &c.WebRTC.ICE.NAT1To1IPs })},
	{"YUECALL_WEBRTC_STUN", "webrtc.ice.servers[0].urls", "", "STUN/TURN URLs, comma-separated (stun:host:3478, turn:host:3478?transport=udp)", iceURLs},
	{"YUECALL_WEBRTC_TURN_USER", "webrtc.ice.servers[0].username", "", "TURN username", iceUser},
	{"YUECALL_WEBRTC_TURN_PASSWORD", "webrtc.ice.servers[0].credential", "", "TURN credential (never logged)", iceCredential},
	{"YUECALL_WEBRTC_ALLOW_LOOPBACK", "webrtc.ice.allow_loopback", "false", "offer 127.0.0.1 candidates (tests, a browser on the same host in a namespace)", boolean(func(c *Config) *bool { return &c.WebRTC.ICE.AllowLoopback })},
	{"YUECALL_WEBRTC_ORIGINS", "webrtc.allowed_origins", "(same host)", "web origins allowed to place calls, comma-separated", list(func(c *Config) *[]string { return &c.WebRTC.AllowedOrigins })},
	{"YUECALL_ASR_PROVIDER", "asr.provider", "(none)", "sherpa, funasr, dashscope, openai, azure (or synthetic for load tests); empty = keypad only", str(func(c *Config) *string { return &c.ASR.Provider })},
	{"YUECALL_ASR_URL", "asr.url", "(provider's)", "e.g. ws://127.0.0.1:6006 (sherpa), wss://host:10095 (funasr), wss://dashscope-intl.aliyuncs.com/api-ws/v1/inference, http://whisper:8000/v1", str(func(c *Config) *string { return &c.ASR.URL })},
	{"YUECALL_ASR_KEY", "asr.key", "", "API key of a cloud provider (never logged)", str(func(c *Config) *string { return &c.ASR.Key })},
	{"YUECALL_ASR_MODEL", "asr.model", "(provider's)", "e.g. paraformer-realtime-8k-v2, whisper-1, large-v3", str(func(c *Config) *string { return &c.ASR.Model })},
	{"YUECALL_ASR_LANGUAGE", "asr.language", "(provider's)", "yue (Whisper large-v3, DashScope), zh (whisper-1 + Cantonese prompt), zh-HK (Azure)", str(func(c *Config) *string { return &c.ASR.Language })},
	{"YUECALL_ASR_REGION", "asr.region", "", "Azure region (e.g. eastasia)", str(func(c *Config) *string { return &c.ASR.Region })},
	{"YUECALL_ASR_SAMPLE_RATE", "asr.sample_rate", "(provider's)", "audio rate sent to the provider (8000 or 16000)", integer(func(c *Config) *int { return &c.ASR.SampleRate })},
	{"YUECALL_ASR_HOTWORDS", "asr.hotwords", "", "extra hotwords, comma-separated (the pack's vocabulary is added)", list(func(c *Config) *[]string { return &c.ASR.Hotwords })},
	{"YUECALL_ASR_PACK_HOTWORDS", "asr.pack_hotwords", "true", "bias recognition towards the knowledge pack's words", boolean(func(c *Config) *bool { return &c.ASR.PackHotwords })},
	{"YUECALL_ASR_FALLBACK_PROVIDER", "asr.fallback.provider", "", "second provider used when the first cannot connect or keeps failing", str(func(c *Config) *string { return &c.ASR.Fallback.Provider })},
	{"YUECALL_ASR_FALLBACK_URL", "asr.fallback.url", "", "its URL", str(func(c *Config) *string { return &c.ASR.Fallback.URL })},
	{"YUECALL_ASR_FALLBACK_KEY", "asr.fallback.key", "", "its API key", str(func(c *Config) *string { return &c.ASR.Fallback.Key })},
	{"YUECALL_ASR_FUNASR_MODE", "asr.funasr.mode", "2pass", "FunASR: 2pass, online or offline", str(func(c *Config) *string { return &c.ASR.FunASR.Mode })},
	{"YUECALL_ASR_TLS_CA_FILE", "asr.funasr.ca_file", "", "FunASR wss: PEM CA to trust", str(func(c *Config) *string { return &c.ASR.FunASR.CAFile })},
	{"YUECALL_ASR_TLS_INSECURE", "asr.funasr.insecure_skip_verify", "false", "FunASR wss: skip certificate checks (its stock certificate cannot verify)", boolean(func(c *Config) *bool { return &c.ASR.FunASR.InsecureSkipVerify })},
	{"YUECALL_ASR_VOCABULARY_ID", "asr.dashscope.vocabulary_id", "", "DashScope hotword vocabulary (made with the customization API)", str(func(c *Config) *string { return &c.ASR.DashScope.VocabularyID })},
	{"YUECALL_ASR_CONNECT_TIMEOUT", "asr.resilience.connect_timeout", "3s", "give up connecting (then the fallback)", duration(func(c *Config) *time.Duration { return &c.ASR.Resilience.ConnectTimeout })},
	{"YUECALL_ASR_STALL_TIMEOUT", "asr.resilience.stall_timeout", "4s", "audio flowing and no result for this long: reconnect and replay", duration(func(c *Config) *time.Duration { return &c.ASR.Resilience.StallTimeout })},
	{"YUECALL_TURN_BASE", "asr.turn.base", "600ms", "silence that ends a caller turn with no cue either way", duration(func(c *Config) *time.Duration { return &c.ASR.Turn.Base })},
	{"YUECALL_TURN_FINAL", "asr.turn.final", "350ms", "shorter silence after a sentence-final particle (啦 喎 㗎 …) or a complete question", duration(func(c *Config) *time.Duration { return &c.ASR.Turn.Final })},
	{"YUECALL_TURN_HOLD", "asr.turn.hold", "1200ms", "longer silence after 同埋/但係/所以, a filler, or half a phone number", duration(func(c *Config) *time.Duration { return &c.ASR.Turn.Hold })},
	{"YUECALL_TTS_PROVIDER", "tts.provider", "espeak", "espeak, openai, azure, cosyvoice (or synthetic for load tests)", str(func(c *Config) *string { return &c.TTS.Provider })},
	{"YUECALL_TTS_URL", "tts.url", "(provider's)", "e.g. https://api.openai.com/v1, wss://dashscope.aliyuncs.com/api-ws/v1/inference", str(func(c *Config) *string { return &c.TTS.URL })},
	{"YUECALL_TTS_KEY", "tts.key", "", "API key of a cloud provider (never logged)", str(func(c *Config) *string { return &c.TTS.Key })},
	{"YUECALL_TTS_MODEL", "tts.model", "(provider's)", "e.g. gpt-4o-mini-tts, cosyvoice-v2", str(func(c *Config) *string { return &c.TTS.Model })},
	{"YUECALL_TTS_REGION", "tts.region", "", "Azure region", str(func(c *Config) *string { return &c.TTS.Region })},
	{"YUECALL_TTS_VOICE", "tts.voice", "(provider's)", "Cantonese voice: yue (espeak), zh-HK-HiuMaanNeural (Azure), longjiayi_v2 (CosyVoice)", str(func(c *Config) *string { return &c.TTS.Voice })},
	{"YUECALL_TTS_VOICE_EN", "tts.voice_english", "(provider's)", "voice for English-only sentences", str(func(c *Config) *string { return &c.TTS.VoiceEnglish })},
	{"YUECALL_TTS_VOICE_CMN", "tts.voice_mandarin", "(provider's)", "voice for Mandarin-speaking callers", str(func(c *Config) *string { return &c.TTS.VoiceMandarin })},
	{"YUECALL_TTS_SPEED", "tts.speed", "1", "pace relative to the provider's normal, 0.5..2", float(func(c *Config) *float64 { return &c.TTS.Speed })},
	{"YUECALL_TTS_PITCH", "tts.espeak.pitch", "50", "espeak-ng pitch 0..99", integer(func(c *Config) *int { return &c.TTS.Espeak.Pitch })},
	{"YUECALL_TTS_RATE_UNIT", "tts.rate_unit", "厘", "interest rates said as 厘 (2.5% → 二點五厘) or percent (百分之二點五)", str(func(c *Config) *string { return &c.TTS.RateUnit })},
	{"YUECALL_TTS_CACHE", "tts.cache", "true", "keep fixed prompts on disk, warmed at start", boolean(func(c *Config) *bool { return &c.TTS.Cache })},
	{"YUECALL_TTS_CACHE_DIR", "tts.cache_dir", "<data_dir>/prompts", "prompt cache directory", str(func(c *Config) *string { return &c.TTS.CacheDir })},
	{"YUECALL_SYNTHETIC_ASR_LATENCY", "asr.synthetic.latency", "100ms", "load tests: the synthetic recogniser's delay from end of utterance to final", duration(func(c *Config) *time.Duration { return &c.ASR.Synthetic.Latency })},
	{"YUECALL_SYNTHETIC_TRANSCRIPTS", "asr.synthetic.transcripts", "我想查戶口結餘,信用卡唔見咗,分行幾點開門", "load tests: what the synthetic recogniser hears, in turn", list(func(c *Config) *[]string { return &c.ASR.Synthetic.Transcripts })},
	{"YUECALL_SYNTHETIC_TTS_LATENCY", "tts.synthetic.latency", "50ms", "load tests: the synthetic voice's time to first audio", duration(func(c *Config) *time.Duration { return &c.TTS.Synthetic.Latency })},
	{"YUECALL_SYNTHETIC_TTS_CHAR", "tts.synthetic.char_duration", "150ms", "load tests: synthetic audio per Chinese character", duration(func(c *Config) *time.Duration { return &c.TTS.Synthetic.CharDuration })},
	{"YUECALL_IVR_MENU", "ivr_menu", "(the pack's menu.yaml, else the built-in bank menu)", "path to an IVR menu YAML", str(func(c *Config) *string { return &c.IVRMenu })},
	{"YUECALL_PACK", "dialog.pack", "bank", "knowledge pack: bank, property or a pack directory", str(func(c *Config) *string { return &c.Dialog.Pack })},
	{"YUECALL_NLU_THRESHOLD", "dialog.threshold", "0.5", "intent confidence below which the caller is asked to rephrase", float(func(c *Config) *float64 { return &c.Dialog.Threshold })},
	{"YUECALL_REVIEW_TIMEOUT", "dialog.review_timeout", "2m", "how long a caller waits for compliance to approve an AI draft before a human takes over", duration(func(c *Config) *time.Duration { return &c.Dialog.ReviewTimeout })},
	{"YUECALL_LLM_BASE_URL", "dialog.llm.base_url", "", "OpenAI-compatible endpoint (e.g. https://dashscope.aliyuncs.com/compatible-mode/v1, http://127.0.0.1:11434/v1); empty = offline dialog only", str(func(c *Config) *string { return &c.Dialog.LLM.BaseURL })},
	{"YUECALL_LLM_API_KEY", "dialog.llm.api_key", "", "its API key (never logged)", str(func(c *Config) *string { return &c.Dialog.LLM.APIKey })},
	{"YUECALL_LLM_MODEL", "dialog.llm.model", "", "e.g. qwen-plus, gpt-4o-mini, llama3.1", str(func(c *Config) *string { return &c.Dialog.LLM.Model })},
	{"YUECALL_LLM_TIMEOUT", "dialog.llm.timeout", "2.5s", "no first sentence by then: the offline answer is spoken instead", duration(func(c *Config) *time.Duration { return &c.Dialog.LLM.Timeout })},
	{"YUECALL_DESK_SECURE_COOKIES", "desk.secure_cookies", "false", "mark desk session cookies Secure (behind a TLS proxy)", boolean(func(c *Config) *bool { return &c.Desk.SecureCookies })},
}

// iceServer returns the first ICE server entry, creating it.
func iceServer(c *Config) *webrtc.ICEServer {
	if len(c.WebRTC.ICE.Servers) == 0 {
		c.WebRTC.ICE.Servers = append(c.WebRTC.ICE.Servers, webrtc.ICEServer{})
	}
	return &c.WebRTC.ICE.Servers[0]
}

func iceURLs(c *Config, v string) error {
	return list(func(c *Config) *[]string { return &iceServer(c).URLs })(c, v)
}

func iceUser(c *Config, v string) error { iceServer(c).Username = v; return nil }

func iceCredential(c *Config, v string) error { iceServer(c).Credential = v; return nil }
