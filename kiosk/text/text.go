// Package text gives the kiosk's code typed access to the zh-CN strings kept in assets/, so every
// string a resident reads lives in one file and a missing one is caught by tests, not by a resident.
package text

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"hallkiosk/assets"
)

// Strings mirrors assets/i18n/zh-CN.toml, one field per key.
type Strings struct {
	App struct {
		Title      string `toml:"title"`
		Home       string `toml:"home"`
		Back       string `toml:"back"`
		PageUp     string `toml:"page_up"`
		PageDown   string `toml:"page_down"`
		ElderOn    string `toml:"elder_on"`
		ElderOff   string `toml:"elder_off"`
		ElderHint  string `toml:"elder_hint"`
		IdleNotice string `toml:"idle_notice"`
		Checking   string `toml:"checking"`
		PageOf     string `toml:"page_of"`
	} `toml:"app"`
	Formats struct {
		Date     string `toml:"date"`
		DateTime string `toml:"datetime"`
		MonthDay string `toml:"month_day"`
	} `toml:"formats"`
	Home struct {
		Greeting   string `toml:"greeting"`
		ItemsCount string `toml:"items_count"`
		Search     string `toml:"search"`
		SearchHint string `toml:"search_hint"`
		Help       string `toml:"help"`
	} `toml:"home"`
	Window struct {
		ChooseItem string `toml:"choose_item"`
		Empty      string `toml:"empty"`
	} `toml:"window"`
	Search struct {
		Title        string `toml:"title"`
		Prompt       string `toml:"prompt"`
		Keywords     string `toml:"keywords"`
		Letters      string `toml:"letters"`
		Clear        string `toml:"clear"`
		Delete       string `toml:"delete"`
		Typed        string `toml:"typed"`
		NothingTyped string `toml:"nothing_typed"`
		NoResult     string `toml:"no_result"`
		Results      string `toml:"results"`
	} `toml:"search"`
	Guide struct {
		Title               string `toml:"title"`
		Code                string `toml:"code"`
		Type                string `toml:"type"`
		Window              string `toml:"window"`
		Body                string `toml:"body"`
		Department          string `toml:"department"`
		Basis               string `toml:"basis"`
		Conditions          string `toml:"conditions"`
		Scope               string `toml:"scope"`
		Materials           string `toml:"materials"`
		MaterialCopies      string `toml:"material_copies"`
		MaterialRequired    string `toml:"material_required"`
		MaterialConditional string `toml:"material_conditional"`
		MaterialSource      string `toml:"material_source"`
		MaterialNotes       string `toml:"material_notes"`
		Steps               string `toml:"steps"`
		LegalLimit          string `toml:"legal_limit"`
		PromisedLimit       string `toml:"promised_limit"`
		OnTheSpot           string `toml:"on_the_spot"`
		WorkingDays         string `toml:"working_days"`
		NoLegalLimit        string `toml:"no_legal_limit"`
		Visits              string `toml:"visits"`
		VisitsN             string `toml:"visits_n"`
		Fee                 string `toml:"fee"`
		FeeBasis            string `toml:"fee_basis"`
		Delivery            string `toml:"delivery"`
		Place               string `toml:"place"`
		Hours               string `toml:"hours"`
		Phone               string `toml:"phone"`
		ComplaintPhone      string `toml:"complaint_phone"`
		FAQ                 string `toml:"faq"`
		FAQQ                string `toml:"faq_q"`
		FAQA                string `toml:"faq_a"`
		ApplyLater          string `toml:"apply_later"`
	} `toml:"guide"`
	Mode struct {
		WindowTitle string `toml:"window_title"`
		WindowBody  string `toml:"window_body"`
	} `toml:"mode"`
	Error struct {
		Store   string `toml:"store"`
		Catalog string `toml:"catalog"`
	} `toml:"error"`
	Apply struct {
		Start               string `toml:"start"`
		QrHint              string `toml:"qr_hint"`
		Step                string `toml:"step"`
		CardTitle           string `toml:"card_title"`
		CardPrompt          string `toml:"card_prompt"`
		CardTypes           string `toml:"card_types"`
		CardRetry           string `toml:"card_retry"`
		CardNoReader        string `toml:"card_no_reader"`
		Applicant           string `toml:"applicant"`
		FormTitle           string `toml:"form_title"`
		Next                string `toml:"next"`
		Prev                string `toml:"prev"`
		KeypadClear         string `toml:"keypad_clear"`
		KeypadDelete        string `toml:"keypad_delete"`
		NothingYet          string `toml:"nothing_yet"`
		Yes                 string `toml:"yes"`
		No                  string `toml:"no"`
		DateYear            string `toml:"date_year"`
		DateMonth           string `toml:"date_month"`
		DateDay             string `toml:"date_day"`
		MaterialsTitle      string `toml:"materials_title"`
		MaterialsPrompt     string `toml:"materials_prompt"`
		Have                string `toml:"have"`
		HaveNot             string `toml:"have_not"`
		Required            string `toml:"required"`
		Conditional         string `toml:"conditional"`
		MissingCanSubmit    string `toml:"missing_can_submit"`
		MissingCannotSubmit string `toml:"missing_cannot_submit"`
		PrintChecklist      string `toml:"print_checklist"`
		ChecklistPrinted    string `toml:"checklist_printed"`
		ChecklistPrinting   string `toml:"checklist_printing"`
		ChecklistFailed     string `toml:"checklist_failed"`
		NextStep            string `toml:"next_step"`
		ConsentTitle        string `toml:"consent_title"`
		ConsentBody         string `toml:"consent_body"`
		Agree               string `toml:"agree"`
		Refuse              string `toml:"refuse"`
		ConfirmTitle        string `toml:"confirm_title"`
		ConfirmItem         string `toml:"confirm_item"`
		ConfirmPromised     string `toml:"confirm_promised"`
		ConfirmMissing      string `toml:"confirm_missing"`
		Submit              string `toml:"submit"`
		SubmitFailed        string `toml:"submit_failed"`
		DoneTitle           string `toml:"done_title"`
		CaseNumber          string `toml:"case_number"`
		Promised            string `toml:"promised"`
		Printing            string `toml:"printing"`
		Printed             string `toml:"printed"`
		PrintFailed         string `toml:"print_failed"`
		Reprint             string `toml:"reprint"`
		ReprintFailed       string `toml:"reprint_failed"`
		Rate                string `toml:"rate"`
		RateTitle           string `toml:"rate_title"`
		RatePrompt          string `toml:"rate_prompt"`
		RateInvited         string `toml:"rate_invited"`
		TicketForMissing    string `toml:"ticket_for_missing"`
		RateWhy             string `toml:"rate_why"`
		RateSend            string `toml:"rate_send"`
		RateThanks          string `toml:"rate_thanks"`
		RateDone            string `toml:"rate_done"`
		Finish              string `toml:"finish"`
	} `toml:"apply"`
	Tasks struct {
		Lookup             string `toml:"lookup"`
		LookupHint         string `toml:"lookup_hint"`
		Ticket             string `toml:"ticket"`
		TicketHint         string `toml:"ticket_hint"`
		Message            string `toml:"message"`
		MessageHint        string `toml:"message_hint"`
		Poll               string `toml:"poll"`
		PollHint           string `toml:"poll_hint"`
		LookupByCard       string `toml:"lookup_by_card"`
		LookupByNumber     string `toml:"lookup_by_number"`
		LookupNumberPrompt string `toml:"lookup_number_prompt"`
		LookupSearch       string `toml:"lookup_search"`
		LookupNone         string `toml:"lookup_none"`
		LookupList         string `toml:"lookup_list"`
		StatusSubmitted    string `toml:"status_submitted"`
		StatusReceived     string `toml:"status_received"`
		StatusAccepted     string `toml:"status_accepted"`
		StatusRejected     string `toml:"status_rejected"`
		StatusDone         string `toml:"status_done"`
		StatusNote         string `toml:"status_note"`
		Reply              string `toml:"reply"`
		Replies            string `toml:"replies"`
		TicketPrompt       string `toml:"ticket_prompt"`
		TicketTaken        string `toml:"ticket_taken"`
		TicketWaiting      string `toml:"ticket_waiting"`
		// TicketWaitingUnknown replaces TicketWaiting for a number from the kiosk's own block.
		TicketWaitingUnknown string `toml:"ticket_waiting_unknown"`
		TicketUnavailable    string `toml:"ticket_unavailable"`
		TicketPrintFailed    string `toml:"ticket_print_failed"`
		TicketPrinting       string `toml:"ticket_printing"`
		TicketPrinted        string `toml:"ticket_printed"`
		MessageTopic         string `toml:"message_topic"`
		MessagePhrases       string `toml:"message_phrases"`
		PhoneLabel           string `toml:"phone_label"`
		MessagePhone         string `toml:"message_phone"`
		MessageSkipPhone     string `toml:"message_skip_phone"`
		MessageSend          string `toml:"message_send"`
		MessageThanks        string `toml:"message_thanks"`
		PollNone             string `toml:"poll_none"`
		PollOpen             string `toml:"poll_open"`
		PollClosed           string `toml:"poll_closed"`
		PollCard             string `toml:"poll_card"`
		PollChoose           string `toml:"poll_choose"`
		PollThanks           string `toml:"poll_thanks"`
		PollAlready          string `toml:"poll_already"`
		PollUnavailable      string `toml:"poll_unavailable"`
		PollUntil            string `toml:"poll_until"`
		PollResult           string `toml:"poll_result"`
	} `toml:"tasks"`
	Lists struct {
		Grades     []string `toml:"grades"`
		BadReasons []string `toml:"bad_reasons"`
		Businesses []string `toml:"businesses"`
		Topics     []string `toml:"topics"`
		Phrases    []string `toml:"phrases"`
	} `toml:"lists"`
	// FollowUp is 邀请评价 at the window and the head's 回访整改 of bad ratings.
	FollowUp struct {
		Title      string `toml:"title"`
		Hint       string `toml:"hint"`
		None       string `toml:"none"`
		Due        string `toml:"due"`
		Overdue    string `toml:"overdue"`
		Finished   string `toml:"finished"`
		Reasons    string `toml:"reasons"`
		Verify     string `toml:"verify"`
		Rectify    string `toml:"rectify"`
		VerifyAsk  string `toml:"verify_ask"`
		RectifyAsk string `toml:"rectify_ask"`
		Recorded   string `toml:"recorded"`
		BadNote    string `toml:"bad_note"`
		HeadOnly   string `toml:"head_only"`
		Invite     string `toml:"invite"`
		Invited    string `toml:"invited"`
		Rated      string `toml:"rated"`
		ProxyRates string `toml:"proxy_rates"`
	} `toml:"followup"`
	// Facing is the window's resident-facing screen (评价屏).
	Facing struct {
		Welcome string `toml:"welcome"`
		Back    string `toml:"back"`
		Failed  string `toml:"failed"`
	} `toml:"facing"`
	// Figures are the station head's daily and monthly figures and their exports (统计).
	Figures struct {
		Title          string `toml:"title"`
		Today          string `toml:"today"`
		Yesterday      string `toml:"yesterday"`
		ThisMonth      string `toml:"this_month"`
		LastMonth      string `toml:"last_month"`
		ExportCSV      string `toml:"export_csv"`
		ExportXLSX     string `toml:"export_xlsx"`
		Exported       string `toml:"exported"`
		ExportFailed   string `toml:"export_failed"`
		ExportNoDir    string `toml:"export_no_dir"`
		ExportFull     string `toml:"export_full"`
		ExportReadOnly string `toml:"export_read_only"`
		ExportOther    string `toml:"export_other"`
		NoTickets      string `toml:"no_tickets"`
		Empty          string `toml:"empty"`
		HeadOnly       string `toml:"head_only"`
		SheetSummary   string `toml:"sheet_summary"`
		SheetItems     string `toml:"sheet_items"`
		SheetStatus    string `toml:"sheet_status"`
		SheetRatings   string `toml:"sheet_ratings"`
		SheetTickets   string `toml:"sheet_tickets"`
		ColWhat        string `toml:"col_what"`
		ColCount       string `toml:"col_count"`
		ColItemCode    string `toml:"col_item_code"`
		ColItem        string `toml:"col_item"`
		ColTotal       string `toml:"col_total"`
		ColOpen        string `toml:"col_open"`
		ColClosed      string `toml:"col_closed"`
		ColOverdue     string `toml:"col_overdue"`
		ColStatus      string `toml:"col_status"`
		ColGrade       string `toml:"col_grade"`
		ColShare       string `toml:"col_share"`
		ColBusiness    string `toml:"col_business"`
		ColTaken       string `toml:"col_taken"`
		ColServed      string `toml:"col_served"`
		ColMissed      string `toml:"col_missed"`
		ColWaiting     string `toml:"col_waiting"`
		ColAvgWait     string `toml:"col_avg_wait"`
		ColMaxWait     string `toml:"col_max_wait"`
		ColAvgService  string `toml:"col_avg_service"`
		RowPeriod      string `toml:"row_period"`
		RowCases       string `toml:"row_cases"`
		RowKiosk       string `toml:"row_kiosk"`
		RowWindow      string `toml:"row_window"`
		RowOverdue     string `toml:"row_overdue"`
		RowRated       string `toml:"row_rated"`
		RowBad         string `toml:"row_bad"`
		RowTickets     string `toml:"row_tickets"`
		RowServed      string `toml:"row_served"`
		RowAvgWait     string `toml:"row_avg_wait"`
		RowCounted     string `toml:"row_counted"`
		RowAll         string `toml:"row_all"`
	} `toml:"figures"`
	// Desk is the comprehensive window's staff screens (综合窗口).
	Desk struct {
		TitleSignIn       string `toml:"title_signin"`
		TitleSetup        string `toml:"title_setup"`
		TitleActivate     string `toml:"title_activate"`
		ActivateHint      string `toml:"activate_hint"`
		ActivateCard      string `toml:"activate_card"`
		ActivateCardRead  string `toml:"activate_card_read"`
		HeadID            string `toml:"head_id"`
		HeadPIN           string `toml:"head_pin"`
		Activate          string `toml:"activate"`
		BackToSignIn      string `toml:"back_to_signin"`
		Witness           string `toml:"witness"`
		WitnessNotHead    string `toml:"witness_not_head"`
		NotHead           string `toml:"not_head"`
		HasPIN            string `toml:"has_pin"`
		NeedsPIN          string `toml:"needs_pin"`
		NoHeadYet         string `toml:"no_head_yet"`
		StaffID           string `toml:"staff_id"`
		PIN               string `toml:"pin"`
		PINAgain          string `toml:"pin_again"`
		SignIn            string `toml:"sign_in"`
		SignOut           string `toml:"sign_out"`
		CardHint          string `toml:"card_hint"`
		CardRead          string `toml:"card_read"`
		SetupHint         string `toml:"setup_hint"`
		SetupHintTownship string `toml:"setup_hint_township"`
		SetupCode         string `toml:"setup_code"`
		Name              string `toml:"name"`
		Setup             string `toml:"setup"`
		WrongPIN          string `toml:"wrong_pin"`
		Locked            string `toml:"locked"`
		NoStaff           string `toml:"no_staff"`
		NoCardStaff       string `toml:"no_card_staff"`
		Disabled          string `toml:"disabled"`
		BadCode           string `toml:"bad_code"`
		SetupDone         string `toml:"setup_done"`
		PINMismatch       string `toml:"pin_mismatch"`
		PINFormat         string `toml:"pin_format"`
		PINDigits         string `toml:"pin_digits"`
		Missing           string `toml:"missing"`
		IdleSignedOut     string `toml:"idle_signed_out"`
		Failed            string `toml:"failed"`
		RoleWorker        string `toml:"role_worker"`
		RoleHead          string `toml:"role_head"`
		RoleAgent         string `toml:"role_agent"`
		RoleTechnician    string `toml:"role_technician"`
		NavQueue          string `toml:"nav_queue"`
		NavHealth         string `toml:"nav_health"`
		NavLater          string `toml:"nav_later"`
		CallNext          string `toml:"call_next"`
		Recall            string `toml:"recall"`
		Miss              string `toml:"miss"`
		Finish            string `toml:"finish"`
		Transfer          string `toml:"transfer"`
		Pause             string `toml:"pause"`
		Resume            string `toml:"resume"`
		Returned          string `toml:"returned"`
		Serving           string `toml:"serving"`
		ServingNone       string `toml:"serving_none"`
		WindowN           string `toml:"window_n"`
		Waiting           string `toml:"waiting"`
		Oldest            string `toml:"oldest"`
		Average           string `toml:"average"`
		Served            string `toml:"served"`
		Paused            string `toml:"paused"`
		QueueAway         string `toml:"queue_away"`
		NoQueue           string `toml:"no_queue"`
		Nobody            string `toml:"nobody"`
		NoTicket          string `toml:"no_ticket"`
		NotMissed         string `toml:"not_missed"`
		ToWindow          string `toml:"to_window"`
		ToBusiness        string `toml:"to_business"`
		ReturnedHint      string `toml:"returned_hint"`
		Recent            string `toml:"recent"`
		Minutes           string `toml:"minutes"`
		Seconds           string `toml:"seconds"`
		PinyinOn          string `toml:"pinyin_on"`
		PinyinOff         string `toml:"pinyin_off"`
		PinyinBad         string `toml:"pinyin_bad"`
		PinyinPage        string `toml:"pinyin_page"`
		PinyinLoading     string `toml:"pinyin_loading"`
		Cancel            string `toml:"cancel"`
		OK                string `toml:"ok"`
	} `toml:"desk"`
	// Intake is the window's one-window intake (一窗受理) and its worklists.
	Intake struct {
		NoResident       string `toml:"no_resident"`
		BadText          string `toml:"bad_text"`
		MissingMaterials string `toml:"missing_materials"`
		NavIntake        string `toml:"nav_intake"`
		NavCases         string `toml:"nav_cases"`
		Title            string `toml:"title"`
		Resident         string `toml:"resident"`
		CardOrType       string `toml:"card_or_type"`
		IDNumber         string `toml:"id_number"`
		Name             string `toml:"name"`
		UseTyped         string `toml:"use_typed"`
		ChangeResident   string `toml:"change_resident"`
		FromCard         string `toml:"from_card"`
		FromTyped        string `toml:"from_typed"`
		BadID            string `toml:"bad_id"`
		BadName          string `toml:"bad_name"`
		Search           string `toml:"search"`
		NoMatch          string `toml:"no_match"`
		PickItem         string `toml:"pick_item"`
		ChangeItem       string `toml:"change_item"`
		OnTheSpot        string `toml:"on_the_spot"`
		PromisedDays     string `toml:"promised_days"`
		Materials        string `toml:"materials"`
		Required         string `toml:"required"`
		Optional         string `toml:"optional"`
		IncompleteOk     string `toml:"incomplete_ok"`
		Accept           string `toml:"accept"`
		Accepted         string `toml:"accepted"`
		Forwarded        string `toml:"forwarded"`
		SlipPrinted      string `toml:"slip_printed"`
		Reprint          string `toml:"reprint"`
		Result           string `toml:"result"`
		Complete         string `toml:"complete"`
		Completed        string `toml:"completed"`
		Next             string `toml:"next"`
		Choose           string `toml:"choose"`
		Yes              string `toml:"yes"`
		No               string `toml:"no"`
		DateHint         string `toml:"date_hint"`
		Find             string `toml:"find"`
		FindGo           string `toml:"find_go"`
		BadQuery         string `toml:"bad_query"`
		NoneFound        string `toml:"none_found"`
		Overdue          string `toml:"overdue"`
		DueSoon          string `toml:"due_soon"`
		Open             string `toml:"open"`
		Promise          string `toml:"promise"`
		Late             string `toml:"late"`
		Steps            string `toml:"steps"`
		Reason           string `toml:"reason"`
		HandTo           string `toml:"hand_to"`
		FollowResult     string `toml:"follow_result"`
		StepDone         string `toml:"step_done"`
		Changed          string `toml:"changed"`
		Refused          string `toml:"refused"`
		NeedReason       string `toml:"need_reason"`
		NeedResult       string `toml:"need_result"`
		HeadOnly         string `toml:"head_only"`
		NotAllowed       string `toml:"not_allowed"`
		NoIntake         string `toml:"no_intake"`
		BackList         string `toml:"back_list"`
		NoSteps          string `toml:"no_steps"`
		StatusReceived   string `toml:"status_received"`
		StatusAccepted   string `toml:"status_accepted"`
		StatusForwarded  string `toml:"status_forwarded"`
		StatusResultBack string `toml:"status_result_back"`
		StatusReady      string `toml:"status_ready"`
		StatusHandedOver string `toml:"status_handed_over"`
		StatusFollowedUp string `toml:"status_followed_up"`
		StatusClosed     string `toml:"status_closed"`
		StatusReturned   string `toml:"status_returned"`
		StatusRefused    string `toml:"status_refused"`
		ToAccepted       string `toml:"to_accepted"`
		ToReturned       string `toml:"to_returned"`
		ToRefused        string `toml:"to_refused"`
		ToReceived       string `toml:"to_received"`
		ToForwarded      string `toml:"to_forwarded"`
		ToResultBack     string `toml:"to_result_back"`
		ToReady          string `toml:"to_ready"`
		ToHandedOver     string `toml:"to_handed_over"`
		ToFollowedUp     string `toml:"to_followed_up"`
		ToClosed         string `toml:"to_closed"`
		HowCollected     string `toml:"how_collected"`
		HowDelivered     string `toml:"how_delivered"`
		HowPosted        string `toml:"how_posted"`
		Township         string `toml:"township"`
		TicketCase       string `toml:"ticket_case"`
		OpenCase         string `toml:"open_case"`
		ProxyToggle      string `toml:"proxy_toggle"`
		ProxyTitle       string `toml:"proxy_title"`
		ProxyCardOrType  string `toml:"proxy_card_or_type"`
		UseProxy         string `toml:"use_proxy"`
		ChangeProxy      string `toml:"change_proxy"`
		Relation         string `toml:"relation"`
		Relations        string `toml:"relations"`
		Consent          string `toml:"consent"`
		Written          string `toml:"written"`
		WrittenMaterial  string `toml:"written_material"`
		NoProxy          string `toml:"no_proxy"`
		ProxyIsResident  string `toml:"proxy_is_resident"`
		NoRelation       string `toml:"no_relation"`
		NoConsent        string `toml:"no_consent"`
		NoWritten        string `toml:"no_written"`
		NavBatch         string `toml:"nav_batch"`
		BatchTitle       string `toml:"batch_title"`
		BatchHint        string `toml:"batch_hint"`
		ProxyStaff       string `toml:"proxy_staff"`
		VisitDate        string `toml:"visit_date"`
		VisitPlace       string `toml:"visit_place"`
		BadVisitDate     string `toml:"bad_visit_date"`
		OldVisitDate     string `toml:"old_visit_date"`
		NoVisitPlace     string `toml:"no_visit_place"`
		Save             string `toml:"save"`
		Saved            string `toml:"saved"`
		BatchCount       string `toml:"batch_count"`
		ForwardBy        string `toml:"forward_by"`
		ForwardLate      string `toml:"forward_late"`
		ToForward        string `toml:"to_forward"`
		FromKiosk        string `toml:"from_kiosk"`
		Continue         string `toml:"continue"`
		Continuing       string `toml:"continuing"`
		AskTownship      string `toml:"ask_township"`
		TownshipDown     string `toml:"township_down"`
		NotYetUploaded   string `toml:"not_yet_uploaded"`
		Amended          string `toml:"amended"`
	} `toml:"intake"`
	// Wall is the village affairs wall (村务公开).
	Wall struct {
		PartParty       string `toml:"part_party"`
		PartVillage     string `toml:"part_village"`
		PartFinance     string `toml:"part_finance"`
		PartService     string `toml:"part_service"`
		PartAffairs     string `toml:"part_affairs"`
		PageOf          string `toml:"page_of"`
		Total           string `toml:"total"`
		Serving         string `toml:"serving"`
		WindowN         string `toml:"window_n"`
		Urgent          string `toml:"urgent"`
		ClockMark       string `toml:"clock_mark"`
		Nothing         string `toml:"nothing"`
		Publisher       string `toml:"publisher"`
		Period          string `toml:"period"`
		Covers          string `toml:"covers"`
		Yuan            string `toml:"yuan"`
		StageProposal   string `toml:"stage_proposal"`
		StageDiscussion string `toml:"stage_discussion"`
		StageReview     string `toml:"stage_review"`
		StageResolution string `toml:"stage_resolution"`
		StagePublished  string `toml:"stage_published"`
		StageResult     string `toml:"stage_result"`
		StagePending    string `toml:"stage_pending"`
		TimeFormat      string `toml:"time_format"`
	} `toml:"wall"`
	// Health is the window's panel of devices, uploads and the store.
	Health struct {
		Title          string `toml:"title"`
		Upload         string `toml:"upload"`
		StateIdle      string `toml:"state_idle"`
		StateSending   string `toml:"state_sending"`
		StateOffline   string `toml:"state_offline"`
		StateStopped   string `toml:"state_stopped"`
		NotEnrolled    string `toml:"not_enrolled"`
		Depth          string `toml:"depth"`
		Oldest         string `toml:"oldest"`
		LastSuccess    string `toml:"last_success"`
		Never          string `toml:"never"`
		LastError      string `toml:"last_error"`
		Quarantine     string `toml:"quarantine"`
		Requeue        string `toml:"requeue"`
		Requeued       string `toml:"requeued"`
		KindCase       string `toml:"kind_case"`
		KindCaseStep   string `toml:"kind_case_step"`
		KindAudit      string `toml:"kind_audit"`
		KindTicket     string `toml:"kind_ticket"`
		KindRating     string `toml:"kind_rating"`
		KindMessage    string `toml:"kind_message"`
		KindVote       string `toml:"kind_vote"`
		Store          string `toml:"store"`
		NoCap          string `toml:"no_cap"`
		StoreFull      string `toml:"store_full"`
		Printer        string `toml:"printer"`
		NoPrinter      string `toml:"no_printer"`
		Refresh        string `toml:"refresh"`
		RequeueRole    string `toml:"requeue_role"`
		Reader         string `toml:"reader"`
		NoReader       string `toml:"no_reader"`
		ReaderReady    string `toml:"reader_ready"`
		ReaderAbsent   string `toml:"reader_absent"`
		ReaderFault    string `toml:"reader_fault"`
		ReaderStarting string `toml:"reader_starting"`
	} `toml:"health"`
	// Voice are the prompts the kiosk speaks when [voice] prompts is on (Chinese characters
	// only: they are read as tone-numbered pinyin).
	Voice struct {
		CardPlace   string `toml:"card_place"`
		TakeReceipt string `toml:"take_receipt"`
		TakeTicket  string `toml:"take_ticket"`
	} `toml:"voice"`
	Devices struct {
		CardPlace      string `toml:"card_place"`
		CardHoldStill  string `toml:"card_hold_still"`
		CardUnreadable string `toml:"card_unreadable"`
		CardType       string `toml:"card_type"`
		CardReader     string `toml:"card_reader"`
		PrinterReady   string `toml:"printer_ready"`
		PrinterNearEnd string `toml:"printer_near_end"`
		PrinterOut     string `toml:"printer_out"`
		PrinterCover   string `toml:"printer_cover"`
		PrinterOffline string `toml:"printer_offline"`
	} `toml:"devices"`
	Print struct {
		ReceiptTitle   string `toml:"receipt_title"`
		TicketTitle    string `toml:"ticket_title"`
		SlipTitle      string `toml:"slip_title"`
		ChecklistTitle string `toml:"checklist_title"`
		CaseNumber     string `toml:"case_number"`
		Item           string `toml:"item"`
		Applicant      string `toml:"applicant"`
		IDNumber       string `toml:"id_number"`
		Submitted      string `toml:"submitted"`
		Promised       string `toml:"promised"`
		Collect        string `toml:"collect"`
		Missing        string `toml:"missing"`
		ScanLookup     string `toml:"scan_lookup"`
		Keep           string `toml:"keep"`
		Waiting        string `toml:"waiting"`
		TicketNotice   string `toml:"ticket_notice"`
		Proxy          string `toml:"proxy"`
		ProxyMark      string `toml:"proxy_mark"`
		Materials      string `toml:"materials"`
		Received       string `toml:"received"`
		NotReceived    string `toml:"not_received"`
		Staff          string `toml:"staff"`
		Accepted       string `toml:"accepted"`
		Bring          string `toml:"bring"`
		Incomplete     string `toml:"incomplete"`
		Place          string `toml:"place"`
		Hours          string `toml:"hours"`
		Phone          string `toml:"phone"`
		Printed        string `toml:"printed"`
		ScanGuide      string `toml:"scan_guide"`
	} `toml:"print"`
	Problems struct {
		CardExpired    string `toml:"card_expired"`
		CardIncomplete string `toml:"card_incomplete"`
		NoPrinter      string `toml:"no_printer"`
	} `toml:"problems"`
	Form struct {
		Fill       string `toml:"fill"`
		Choose     string `toml:"choose"`
		NumberOnly string `toml:"number_only"`
		TooSmall   string `toml:"too_small"`
		TooLarge   string `toml:"too_large"`
		PhoneShort string `toml:"phone_short"`
		PhoneBad   string `toml:"phone_bad"`
		NotDate    string `toml:"not_date"`
		BadYear    string `toml:"bad_year"`
		ChooseOne  string `toml:"choose_one"`
		ChooseFrom string `toml:"choose_from"`
		TooLong    string `toml:"too_long"`
		YesOrNo    string `toml:"yes_or_no"`
	} `toml:"form"`
}

// Load decodes the embedded zh-CN strings and refuses a file with unknown or empty keys.
// LifeStatus words a case's place in its life (kiosk/lifecycle's statuses) for the window's lists
// and the figures.
func (s *Strings) LifeStatus(st string) string {
	t := s.Intake
	switch st {
	case "accepted":
		return t.StatusAccepted
	case "forwarded":
		return t.StatusForwarded
	case "result_back":
		return t.StatusResultBack
	case "ready":
		return t.StatusReady
	case "handed_over":
		return t.StatusHandedOver
	case "followed_up":
		return t.StatusFollowedUp
	case "closed":
		return t.StatusClosed
	case "returned":
		return t.StatusReturned
	case "refused":
		return t.StatusRefused
	}
	return t.StatusReceived
}

func Load() (*Strings, error) {
	return Parse(assets.StringsZhCN)
}

// Parse decodes a strings file strictly, so a typo in a key is an error rather than a blank label.
func Parse(data []byte) (*Strings, error) {
	s := &Strings{}
	md, err := toml.NewDecoder(strings.NewReader(string(data))).Decode(s)
	if err != nil {
		return nil, fmt.Errorf("decode strings: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("decode strings: unknown key %q", und[0].String())
	}
	if missing := emptyFields(reflect.ValueOf(s).Elem(), ""); len(missing) > 0 {
		return nil, fmt.Errorf("decode strings: missing %s", strings.Join(missing, ", "))
	}
	if len(s.Lists.Grades) != 5 {
		return nil, fmt.Errorf("decode strings: lists.grades needs the 5 grades, worst first")
	}
	return s, nil
}

func emptyFields(v reflect.Value, prefix string) []string {
	var out []string
	for i := 0; i < v.NumField(); i++ {
		f, name := v.Field(i), prefix+v.Type().Field(i).Name
		switch f.Kind() {
		case reflect.Struct:
			out = append(out, emptyFields(f, name+".")...)
		case reflect.String:
			if f.String() == "" {
				out = append(out, name)
			}
		case reflect.Slice:
			if f.Len() == 0 {
				out = append(out, name)
			}
		}
	}
	return out
}

// N fills the {n} placeholder of a counting string.
func N(format string, n int) string {
	return strings.ReplaceAll(format, "{n}", strconv.Itoa(n))
}
