// Package sealbox is the one way voucherpos keeps a change-voucher PIN on
// disk: AES-256-GCM under a key derived from the Kora secret with HKDF
// (SHA-256), each box bound to a caller's label (a sale's reference) as
// its additional data. The till's journal and the store server's webhook
// table both use it, each with its own salt, so a box from one can never
// be opened as the other's.
package sealbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Box seals and opens texts under one derived key.
type Box struct{ aead cipher.AEAD }

// New derives a key from secret with HKDF-SHA-256 (salt, info) and returns
// the box. An empty secret is refused: there would be nothing to keep.
func New(secret, salt, info string) (*Box, error) {
	a, err := AEAD(secret, salt, info)
	if err != nil {
		return nil, err
	}
	return &Box{aead: a}, nil
}

// AEAD is the AES-256-GCM cipher under the derived key, for callers that
// keep their own cipher.AEAD.
func AEAD(secret, salt, info string) (cipher.AEAD, error) {
	if secret == "" {
		return nil, errors.New("sealbox: no secret to derive a key from")
	}
	key, err := hkdf.Key(sha256.New, []byte(secret), []byte(salt), info, 32)
	if err != nil {
		return nil, fmt.Errorf("sealbox: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts text bound to label: nonce ‖ ciphertext ‖ tag.
func (b *Box) Seal(label, text string) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return b.aead.Seal(nonce, nonce, []byte(text), []byte(label)), nil
}

// ErrOpen: a box that is damaged, bound to another label, or sealed under
// another key.
var ErrOpen = errors.New("sealbox: cannot be decrypted with this key (was the Kora key changed?)")

// Open decrypts a box sealed with label.
func (b *Box) Open(label string, box []byte) (string, error) {
	n := b.aead.NonceSize()
	if len(box) < n {
		return "", ErrOpen
	}
	text, err := b.aead.Open(nil, box[:n], box[n:], []byte(label))
	if err != nil {
		return "", ErrOpen
	}
	return string(text), nil
}
