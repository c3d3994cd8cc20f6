package idcard

import "fmt"

// Status codes (SW3) a reader answers with.
const (
	SWSuccess          byte = 0x90
	SWNoSuchItem       byte = 0x91
	SWFindOK           byte = 0x9F
	SWHostChecksum     byte = 0x10
	SWHostLength       byte = 0x11
	SWCommand          byte = 0x21
	SWUnauthorized     byte = 0x23
	SWUnrecognized     byte = 0x24
	SWCardAuthSAM      byte = 0x31
	SWSAMAuthCard      byte = 0x32
	SWVerifyFailed     byte = 0x33
	SWFingerprint      byte = 0x37
	SWInfoLength       byte = 0x3F
	SWUnknownCardType  byte = 0x40
	SWReadFailed       byte = 0x41
	SWRandomFailed     byte = 0x47
	SWSAMSelfTest      byte = 0x60
	SWSAMNotAuthorized byte = 0x66
	SWNoCard           byte = 0x80
	SWSelectFailed     byte = 0x81
)

// StatusError is a reader's answer other than success: Log is for technicians' logs (English),
// Resident is what a resident at the kiosk is told (Chinese, short, says what to do).
type StatusError struct {
	SW3      byte
	Log      string
	Resident string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("id-card reader status %02X: %s", e.SW3, e.Log)
}

// Is lets errors.Is(err, &StatusError{SW3: 0x80}) match by code.
func (e *StatusError) Is(target error) bool {
	t, ok := target.(*StatusError)
	return ok && t.SW3 == e.SW3
}

const (
	msgPlaceCard = "请将身份证放在读卡区"
	msgHoldStill = "读卡没有成功，请把身份证平放在读卡区，不要移动"
	msgCardBad   = "这张证件读不出来，请到综合窗口办理"
	msgReader    = "读卡器暂时不能使用，请到综合窗口办理"
)

var statusTable = map[byte]StatusError{
	SWNoSuchItem:       {Log: "card has no such item", Resident: msgCardBad},
	SWHostChecksum:     {Log: "reader saw a checksum error in our frame", Resident: msgHoldStill},
	SWHostLength:       {Log: "reader saw a length error in our frame", Resident: msgHoldStill},
	SWCommand:          {Log: "command error", Resident: msgReader},
	SWUnauthorized:     {Log: "unauthorized operation", Resident: msgReader},
	SWUnrecognized:     {Log: "unrecognized error", Resident: msgHoldStill},
	SWCardAuthSAM:      {Log: "card failed to authenticate the SAM", Resident: msgCardBad},
	SWSAMAuthCard:      {Log: "SAM failed to authenticate the card", Resident: msgCardBad},
	SWVerifyFailed:     {Log: "information verification failed", Resident: msgCardBad},
	SWFingerprint:      {Log: "fingerprint verification error", Resident: msgCardBad},
	SWInfoLength:       {Log: "information length error", Resident: msgHoldStill},
	SWUnknownCardType:  {Log: "unrecognized card type", Resident: "这种证件不能在本机使用，请使用居民身份证或居住证"},
	SWReadFailed:       {Log: "read failed (card moved or lifted)", Resident: msgHoldStill},
	SWRandomFailed:     {Log: "random-number fetch failed", Resident: msgHoldStill},
	SWSAMSelfTest:      {Log: "SAM self-test failed, cannot take commands", Resident: msgReader},
	SWSAMNotAuthorized: {Log: "SAM not authorized", Resident: msgReader},
	SWNoCard:           {Log: "no card on the reader", Resident: msgPlaceCard},
	SWSelectFailed:     {Log: "select card failed", Resident: msgHoldStill},
}

// StatusFor returns nil for the success codes and a *StatusError for every other SW3, including
// codes not in the published table.
func StatusFor(sw3 byte) error {
	if sw3 == SWSuccess || sw3 == SWFindOK {
		return nil
	}
	if e, ok := statusTable[sw3]; ok {
		e.SW3 = sw3
		return &e
	}
	return &StatusError{SW3: sw3, Log: "status code not in the protocol table", Resident: msgReader}
}
