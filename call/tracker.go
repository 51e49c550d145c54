package call

import "sync"

// tracker starts goroutines and waits for them: every goroutine of a call is
// started through it, so Run can return only when all have stopped.
type tracker struct{ wg sync.WaitGroup }

func (t *tracker) Go(f func()) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f()
	}()
}

func (t *tracker) Wait() { t.wg.Wait() }
