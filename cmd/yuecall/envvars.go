package main

import "time"

// envVars is the one table of YUECALL_* variables: LoadConfig applies it and
// `yuecall config env` prints it for the README.
var envVars = []envVar{
	{"YUECALL_DATA_DIR", "data_dir", "~/.local/state/yuecall", "everything written to disk (JetStream store, prompt cache)", str(func(c *Config) *string { return &c.DataDir })},
	{"YUECALL_LOG_LEVEL", "log_level", "info", "debug, info, warn, error", str(func(c *Config) *string { return &c.LogLevel })},
	{"YUECALL_LOG_FORMAT", "log_format", "text", "text or json", str(func(c *Config) *string { return &c.LogFormat })},
	{"YUECALL_SHUTDOWN_TIMEOUT", "shutdown_timeout", "30s", "on SIGTERM, how long active calls may go on", duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
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
	{"YUECALL_ASR_PROVIDER", "asr.provider", "(none)", "sherpa; empty = keypad only", str(func(c *Config) *string { return &c.ASR.Provider })},
	{"YUECALL_ASR_URL", "asr.url", "", "e.g. ws://127.0.0.1:6006 for sherpa-onnx", str(func(c *Config) *string { return &c.ASR.URL })},
	{"YUECALL_ASR_SAMPLE_RATE", "asr.sample_rate", "16000", "the ASR server's sample rate", integer(func(c *Config) *int { return &c.ASR.SampleRate })},
	{"YUECALL_TTS_PROVIDER", "tts.provider", "espeak", "espeak (espeak-ng yue voice)", str(func(c *Config) *string { return &c.TTS.Provider })},
	{"YUECALL_TTS_VOICE", "tts.espeak.voice", "yue", "espeak-ng voice", str(func(c *Config) *string { return &c.TTS.Espeak.Voice })},
	{"YUECALL_TTS_SPEED", "tts.espeak.speed", "150", "words per minute", integer(func(c *Config) *int { return &c.TTS.Espeak.Speed })},
	{"YUECALL_TTS_PITCH", "tts.espeak.pitch", "50", "0..99", integer(func(c *Config) *int { return &c.TTS.Espeak.Pitch })},
	{"YUECALL_IVR_MENU", "ivr_menu", "(built-in bank menu)", "path to an IVR menu YAML", str(func(c *Config) *string { return &c.IVRMenu })},
}
