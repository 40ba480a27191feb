package inbox

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"sync"
)

// memStore is a Store in memory that behaves as the contract asks: Deliver
// is idempotent on Message-ID and advances the position with the message.
type memStore struct {
	mu     sync.Mutex
	pos    map[string][2]uint32 // mailbox → {uidValidity, lastUID}
	seen   map[string]bool      // Message-IDs stored
	got    []Delivery           // every message stored, in order
	calls  int                  // Deliver calls, failed ones included
	uids   []uint32             // UIDs of the successful IMAP Deliver calls
	failOn func(call int, d Delivery) error
}

func newMemStore() *memStore {
	return &memStore{pos: map[string][2]uint32{}, seen: map[string]bool{}}
}

func (s *memStore) Position(_ context.Context, mailbox string) (uint32, uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pos[mailbox]
	return p[0], p[1], nil
}

func (s *memStore) setPosition(mailbox string, validity, uid uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pos[mailbox] = [2]uint32{validity, uid}
}

func (s *memStore) Deliver(_ context.Context, d Delivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.failOn != nil {
		if err := s.failOn(s.calls, d); err != nil {
			return err
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(d.Raw))
	if err != nil {
		return err
	}
	id := msg.Header.Get("Message-ID")
	if id == "" {
		return errors.New("no Message-ID")
	}
	if !s.seen[id] {
		s.seen[id] = true
		s.got = append(s.got, d)
	}
	if d.Source == SourceIMAP {
		s.uids = append(s.uids, d.UID)
		s.pos[d.Mailbox] = [2]uint32{d.UIDValidity, d.UID}
	}
	return nil
}

func (s *memStore) deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.got...)
}
