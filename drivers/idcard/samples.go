package idcard

import "time"

func day(s string) time.Time { t, _ := time.Parse("20060102", s); return t }

func withCheck(first17 string) string {
	c, err := CheckDigit(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(c)
}

// SampleCards are invented cards for simulators, tests and demos: all four types, names with rare
// characters, a foreign name long enough to run on at offset 220, one expired card, all with
// valid check digits.
func SampleCards() []Card {
	return []Card{
		{Type: CardResident, Name: "王䶮", SexCode: '1', NationCode: "01", Birth: day("19510307"),
			Address: "陕西省杨凌示范区五泉镇王上村三组18号", IDNumber: withCheck("61040319510307201"),
			Authority: "杨凌示范区公安局", ValidFrom: day("20160501"), LongTerm: true},
		{Type: CardResident, Name: "欧阳淼喆", SexCode: '2', NationCode: "03", Birth: day("19880229"),
			Address: "陕西省杨凌示范区五泉镇王上村一组", IDNumber: withCheck("61040319880229304"),
			Authority: "杨凌示范区公安局", ValidFrom: day("20180620"), ValidTo: day("20380620")},
		{Type: CardHKMOTW, Name: "陈家堃", SexCode: '1', Birth: day("19900101"), Address: "陕西省西安市雁塔区",
			IDNumber: withCheck("81000019900101002"), Authority: "西安市公安局", ValidFrom: day("20240101"),
			ValidTo: day("20290101"), PassNumber: "H01234567", IssueCount: "01"},
		{Type: CardForeignOld, EnglishName: "SMITH, JOHN", SexCode: '1', IDNumber: "USA610099010101",
			Nationality: "USA", Name: "史密斯", ValidFrom: day("20150101"), ValidTo: day("20350101"),
			Birth: day("19700101"), CardVersion: "01", OfficeCode: "6100"},
		{Type: CardForeign2023, Name: "玛丽", SexCode: '2', IssueCount: "00", Birth: day("19850515"),
			EnglishName: "MARY ELIZABETH KATHERINE ALEXANDRA WINDSOR", IDNumber: withCheck("96182619850515001"),
			ValidFrom: day("20230101"), ValidTo: day("20330101"), Nationality: "GBR", OldNumber: "1"},
		{Type: CardResident, Name: "李建国", SexCode: '1', NationCode: "01", Birth: day("19600808"),
			Address: "陕西省杨凌示范区五泉镇王上村二组", IDNumber: withCheck("61040319600808101"),
			Authority: "杨凌示范区公安局", ValidFrom: day("20050101"), ValidTo: day("20250101")}, // expired
	}
}
