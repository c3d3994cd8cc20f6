package sim

import (
	"context"
	"testing"
	"time"

	"hallkiosk/drivers/idcard"
)

// wireTime is how long the bytes of one find+select+read cycle take on a 115200-baud line
// (10 bits a byte): requests and answers both ways.
func wireTime() time.Duration {
	text, _ := idcard.EncodeText(idcard.SampleCards()[0])
	bytes := 3*len(idcard.EncodeRequest(idcard.CmdFindCard)) +
		len(idcard.EncodeResponse(idcard.SWFindOK, make([]byte, 4))) +
		len(idcard.EncodeResponse(idcard.SWSuccess, make([]byte, 8))) +
		len(idcard.EncodeResponse(idcard.SWSuccess, idcard.ReadAnswer(text, make([]byte, 1024))))
	return time.Duration(bytes*10) * time.Second / 115200
}

// BenchmarkCardRead times find -> select -> read -> decoded card through a pty. A pty moves bytes
// instantly, so the time measured is the software's own; it is reported beside the wire time the
// same bytes need at 115200 baud (goal: software under 5 ms per card).
func BenchmarkCardRead(b *testing.B) {
	sim, r := startReaderB(b)
	_ = sim.Place(1)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.ReadCard(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per.Microseconds())/1000, "software-ms/card")
	b.ReportMetric(float64(wireTime().Microseconds())/1000, "wire-ms/card@115200")
}
