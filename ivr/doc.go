// Package ivr runs the hotline's keypad menu: greeting, optional recording
// notice, options prompt, DTMF choices, retries on invalid or missing input,
// and the exit to the AI assistant, to a human queue or to hang-up.
//
// A Menu is data (YAML, see LoadMenu and DefaultMenu). A Machine is a small
// state machine over one call's menu: the call layer feeds it events (Start,
// Digit, Timeout) and executes the Actions it returns, in order (play a
// prompt, arm the no-input timer, route the caller to the dialog engine, hand
// off to a queue, hang up). The Machine does no I/O and starts no goroutines.
//
// It imports nothing from yuecall (gopkg.in/yaml.v3 and the standard library).
package ivr
