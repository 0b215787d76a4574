package pos

import (
	"testing"

	"voucherpos/pos/config"
)

// The charge's notification_url: [kora] notification_url when set, else
// the store server's public webhook URL, else none.
func TestNotificationURLDefaultsToTheStoreServersWebhook(t *testing.T) {
	for _, tt := range []struct{ kora, public, want string }{
		{"", "", ""},
		{"", "https://store.example/kora/webhook", "https://store.example/kora/webhook"},
		{"https://mine.example/hook", "https://store.example/kora/webhook", "https://mine.example/hook"},
	} {
		cfg := &config.Config{}
		cfg.Kora.NotificationURL = tt.kora
		cfg.StoreServer.PublicWebhookURL = tt.public
		if got := (&Service{cfg: cfg}).notificationURL(); got != tt.want {
			t.Errorf("kora %q, public %q: %q, want %q", tt.kora, tt.public, got, tt.want)
		}
	}
}
