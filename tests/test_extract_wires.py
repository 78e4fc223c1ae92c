"""How wire services and ministries really write, read right: courtesy titles, bylines and
datelines in their many shapes, document lists without status words, background sentences.

Each example is a short report about a real event, in our own words.
"""

from __future__ import annotations

from typing import Any

from accordia import Document, extract


def _record(text: str) -> dict[str, Any]:
    return extract(Document("memory", text, None, None)).to_dict()


def _persons(record: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    return {p["name"]: (p["role"], p["country"]) for p in record["persons"]}


def test_courtesy_titles_stand_before_names_and_between_a_role_and_its_name() -> None:
    record = _record(
        "Egypt and Cyprus sign gas agreements\n\n"
        "CAIRO, Feb 17, 2025. The agreements were signed by Egypt's Minister of Petroleum and Mineral Resources "
        "Eng. Karim Badawi and Cyprus's Minister of Energy, Commerce and Industry George Papanastasiou.\n")
    persons = _persons(record)
    assert persons["Karim Badawi"] == ("Minister of Oil", "EG")
    assert persons["George Papanastasiou"] == ("Minister of Energy", "CY")
    assert record["countries"] == ["CY", "EG"]


def test_an_apposition_after_his_excellency_and_an_arabic_name_with_its_links() -> None:
    record = _record(
        "UAE and France sign energy partnership\n\n"
        "PARIS, 18th July, 2022 (WAM) -- His Highness Sheikh Mohamed bin Zayed Al Nahyan, President of the UAE, and "
        "French President Emmanuel Macron witnessed the signing of a strategic energy partnership agreement between "
        "the two countries at Versailles.\n")
    persons = _persons(record)
    assert persons["Sheikh Mohamed bin Zayed Al Nahyan"] == ("President", "AE")
    assert persons["Emmanuel Macron"] == ("President", "FR")


def test_names_with_latin_extended_letters() -> None:
    record = _record(
        "Erdogan and Putin discuss gas hub\n\n"
        "SOCHI, September 4, 2023. Turkish President Recep Tayyip Erdoğan held talks with Russian President "
        "Vladimir Putin on the proposed natural gas hub in Türkiye.\n")
    assert "Recep Tayyip Erdoğan" in _persons(record)


def test_year_first_and_iso_datetime_bylines_date_the_report() -> None:
    for byline in ("Published 2023.01.16 15:02", "2023-01-16T15:02:00+04:00", "16-Jan-2023"):
        record = _record(
            "Saudi Arabia and Uzbekistan discuss renewables\n"
            f"{byline}\n\n"
            "Uzbekistan's Minister of Energy Jurabek Mirzamakhmudov met Saudi Arabia's Minister of Energy Prince "
            "Abdulaziz bin Salman to discuss cooperation in renewable energy.\n")
        assert record["published"] == "2023-01-16", byline
        assert record["events"][0]["date"] == "2023-01-16", byline


def test_a_month_first_header_date_is_read_as_the_dateline_names_it() -> None:
    record = _record(
        "Azerbaijan, Kazakhstan, Uzbekistan sign memorandum on merging energy systems\n\n"
        "Date\n5/1/2024 9:12:40 AM\n\n"
        "(MENAFN- Trend News Agency) BAKU, Azerbaijan, May 1. A memorandum of understanding on merging the energy "
        "systems of Azerbaijan, Kazakhstan and Uzbekistan was signed in Tashkent by their ministers.\n")
    assert record["published"] == "2024-05-01"


def test_a_happening_cannot_be_dated_after_its_report() -> None:
    record = _record(
        "BOTAS and Turkmengaz sign gas supply deal\n\n"
        "ANKARA, Feb 11, 2025 (Interfax) - Turkey's state-owned BOTAS and Turkmenistan's state concern Turkmengaz "
        "have signed an agreement on supplies of Turkmen gas to Turkey, with deliveries set to begin on March 1.\n")
    [signing] = [e for e in record["events"] if e["type"] == "signing"]
    assert signing["date"] == "2025-02-11"


def test_documents_listed_under_a_lead_in_take_its_status() -> None:
    record = _record(
        "Korea and Turkmenistan sign documents\n\n"
        "ASHGABAT, June 10, 2024. President of Turkmenistan Serdar Berdimuhamedov held talks with President of the "
        "Republic of Korea Yoon Suk Yeol, and a package of bilateral documents was signed in their presence. "
        "Among the documents:\n"
        "- Memorandum of understanding on the activation of the Turkmen-Korean Intergovernmental Committee on "
        "cooperation\n"
        "- Framework agreement between the State Concern \"Türkmengaz\" and Hyundai Engineering on gas treatment "
        "facilities at the Galkynysh field\n")
    statuses = {a["type"]: a["status"] for a in record["agreements"]}
    assert statuses["mou"] == "signed"
    assert statuses["agreement"] == "signed"
    assert not any(a["title"] == "Türkmengaz" for a in record["agreements"])
    # The committee is what the memorandum is about, not a gathering of this report.
    assert "conference" not in {e["type"] for e in record["events"]}


def test_the_two_companies_make_both_states_parties() -> None:
    record = _record(
        "QatarEnergy and CNPC sign LNG deals\n\n"
        "Doha, June 20, 2023 (QNA) - QatarEnergy and China National Petroleum Corporation (CNPC), the state-owned "
        "energy companies of Qatar and China, signed a 27-year LNG sale and purchase agreement. The two companies "
        "also signed a partnership agreement under which CNPC will take a 5 percent interest in the North Field "
        "East project.\n")
    assert [a["countries"] for a in record["agreements"]] == [["CN", "QA"], ["CN", "QA"]]


def test_a_background_sentence_adds_no_participants() -> None:
    record = _record(
        "Azerbaijan and Kazakhstan discuss power links\n\n"
        "BAKU, May 2, 2024. Azerbaijan's Minister of Energy Parviz Shahbazov met Kazakhstan's Minister of Energy "
        "Almassadam Satkaliyev in Baku to discuss linking the power systems of the two countries. Previously, "
        "Azerbaijan agreed with Georgia, Romania and Hungary to build a power cable under the Black Sea.\n")
    assert record["countries"] == ["AZ", "KZ"]


def test_countries_named_as_routes_are_in_passing() -> None:
    record = _record(
        "Turkmen gas to reach Turkey\n\n"
        "ANKARA, Feb 11, 2025. Turkey's Minister of Energy Alparslan Bayraktar and Turkmenistan's Deputy Prime "
        "Minister Batyr Amanov signed a gas supply agreement in Ankara. The gas will be delivered under a swap "
        "through the pipeline network of Iran, and may later travel across Bulgaria to Europe.\n")
    assert record["countries"] == ["TM", "TR"]


def test_the_head_of_state_a_visitor_meets_is_the_hosts() -> None:
    record = _record(
        "Von der Leyen in Baku\n\n"
        "BRUSSELS, 19 July 2022. On Monday European Commission President Ursula von der Leyen travelled to Baku "
        "and signed a memorandum of understanding on a strategic partnership in energy with President Ilham "
        "Aliyev.\n")
    assert _persons(record)["Ilham Aliyev"] == ("President", "AZ")
    assert "AZ" in record["countries"]


def test_a_gathering_over_a_range_of_days_is_dated_by_its_first() -> None:
    record = _record(
        "G7 ministers agree critical minerals plan\n\n"
        "SAPPORO, April 17, 2023. The G7 ministers of climate, energy and environment met in Sapporo on "
        "15-16 April 2023 and adopted a five-point plan for critical minerals security.\n")
    [conference] = [e for e in record["events"] if e["type"] == "conference"]
    assert conference["date"] == "2023-04-15"


def _agreements(record: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(a["type"], a["countries"]) for a in record["agreements"]]


def test_an_acronym_the_report_defines_belongs_to_the_body_it_follows() -> None:
    # "NEA" is also China's National Energy Administration in the gazetteer.
    record = _record(
        "Nepal, India and Bangladesh sign power deal\n\n"
        "KATHMANDU, Oct 3, 2024. NTPC Vidyut Vyapar Nigam of India, the Nepal Electricity Authority (NEA) and the "
        "Bangladesh Power Development Board signed a tripartite agreement on power sales. Under it the NEA will "
        "export 40 megawatts to Bangladesh through the Indian grid.\n")
    names = {o["name"]: o["acronym"] for o in record["organizations"]}
    assert names.get("Nepal Electricity Authority") == "NEA"
    assert "National Energy Administration" not in names
    assert "CN" not in record["countries"]
    assert all("CN" not in countries for _, countries in _agreements(record))


def test_states_that_sign_beside_a_group_are_the_parties_not_the_group() -> None:
    record = _record(
        "Kazakhstan, US sign minerals memorandum at C5+1 summit\n\n"
        "WASHINGTON, November 6, 2025. Kazakhstan and the United States signed a memorandum of understanding on "
        "critical minerals during the C5+1 summit hosted by President Donald Trump. The summit brought together the "
        "leaders of Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan and Uzbekistan.\n")
    assert ("mou", ["KZ", "US"]) in _agreements(record)


def test_a_state_facing_a_union_is_the_party_not_the_unions_members() -> None:
    record = _record(
        "EU and Egypt sign strategic partnership\n\n"
        "CAIRO, 17 March 2024. President Ursula von der Leyen and Egyptian President Abdel Fattah El-Sisi signed "
        "a Joint Declaration on the Strategic and Comprehensive Partnership between the European Union and Egypt. The "
        "summit also brought together the prime ministers of Belgium, Italy and Greece.\n")
    assert _agreements(record) == [("declaration", ["EG"])]


def test_an_agency_credit_in_the_dateline_is_no_sale_and_purchase_agreement() -> None:
    record = _record(
        "Crown Prince receives Japanese Prime Minister\n\n"
        "Jeddah, 17 July 2023 (SPA) -- His Royal Highness Prince Mohammed bin Salman, Crown Prince and Prime "
        "Minister, received in Jeddah on Sunday the Prime Minister of Japan, Fumio Kishida, who arrived in the "
        "Kingdom on an official visit. During the talks, the two sides reviewed cooperation in clean energy.\n")
    assert [a for a in record["agreements"] if a["type"] == "contract"] == []


def test_the_two_sides_in_a_report_naming_a_third_state_are_the_two_that_met() -> None:
    record = _record(
        "Sri Lanka and China sign memoranda in Beijing\n\n"
        "BEIJING, Jan 16, 2025. Sri Lankan President Anura Kumara Dissanayake held talks with Chinese President "
        "Xi Jinping, after which the two sides signed a set of memoranda of understanding on economic "
        "cooperation. Sri Lankan President Dissanayake had visited India in December.\n")
    assert ("mou", ["CN", "LK"]) in _agreements(record)


def test_a_private_companys_officer_does_not_make_his_state_a_party() -> None:
    record = _record(
        "UAE and France sign energy partnership\n\n"
        "PARIS, 18th July, 2022 (WAM) -- The UAE and France signed a comprehensive strategic energy partnership "
        "agreement. Sultan Al Jaber, CEO of the Abu Dhabi National Oil Company (ADNOC), and Patrick Pouyanne, "
        "Chairman and CEO of TotalEnergies, also signed a strategic collaboration agreement between the two "
        "companies.\n")
    assert ("agreement", ["AE"]) in _agreements(record)


def test_talks_between_named_leaders_during_a_visit_are_a_meeting_too() -> None:
    record = _record(
        "Canada, Korea sign critical minerals MoU\n\n"
        "SEOUL, May 17, 2023. Canada and South Korea signed a memorandum of understanding on critical mineral "
        "supply chains on Wednesday, following talks in Seoul between Prime Minister Justin Trudeau and President "
        "Yoon Suk Yeol. Trudeau arrived on Tuesday on an official visit.\n")
    assert {e["type"] for e in record["events"]} >= {"meeting", "signing", "visit"}


def test_a_gathering_over_several_days_is_dated_by_its_opening_day() -> None:
    record = _record(
        "Clean energy ministers commit $94 billion in Pittsburgh\n\n"
        "PITTSBURGH, Sept. 24, 2022. Energy ministers from more than 30 countries ended the Global Clean Energy "
        "Action Forum on Friday with new pledges for clean energy technologies. US Secretary of Energy Jennifer "
        "Granholm chaired the three-day forum, which opened on Wednesday at the convention centre and brought "
        "together ministers from Japan, India and Canada.\n")
    conference = next(e for e in record["events"] if e["type"] == "conference")
    assert conference["date"] == "2022-09-21"


def test_talks_still_going_on_are_not_a_meeting() -> None:
    record = _record(
        "QatarEnergy signs LNG deal for Germany\n\n"
        "DOHA, Nov 29, 2022. QatarEnergy signed two sale and purchase agreements with ConocoPhillips on Tuesday "
        "to supply up to 2 million tonnes of LNG a year to Germany from 2026. Minister of State for Energy Affairs "
        "Saad Sherida Al-Kaabi said Qatar was in talks with other German companies about further volumes.\n")
    assert [e["type"] for e in record["events"]] == ["signing"]


def test_a_list_of_states_that_acts_together_takes_part() -> None:
    record = _record(
        "OPEC+ extends voluntary cuts into 2024\n\n"
        "VIENNA, Nov 30, 2023. Saudi Arabia said on Thursday it would extend its voluntary cut of 1 million "
        "barrels per day until the end of March. Several other members, including Iraq, the United Arab Emirates, "
        "Kuwait, Kazakhstan, Algeria and Oman, announced voluntary cuts of their own for the first quarter.\n")
    assert {"IQ", "AE", "KW", "KZ", "DZ", "OM"} <= set(record["countries"])


def test_a_role_does_not_reach_past_one_person_to_another_who_has_a_role_of_his_own() -> None:
    record = _record(
        "Baltic Sea states sign Marienborg Declaration\n\n"
        "COPENHAGEN, Aug 30, 2022. Among the participants were Estonian Prime Minister Kaja Kallas and Sanna "
        "Marin, Prime Minister of Finland.\n")
    persons = _persons(record)
    assert persons["Kaja Kallas"] == ("Prime Minister", "EE")
    assert persons["Sanna Marin"] == ("Prime Minister", "FI")


def test_a_plural_role_names_each_of_the_persons_it_lists() -> None:
    record = _record(
        "US backs Congo-Zambia battery value chain\n\n"
        "WASHINGTON, Dec 13, 2022. The United States, the Democratic Republic of the Congo and Zambia signed a "
        "memorandum of understanding on an electric vehicle battery value chain. Presidents Felix Tshisekedi and "
        "Hakainde Hichilema witnessed the signing.\n")
    persons = _persons(record)
    assert persons["Felix Tshisekedi"][0] == "President"
    assert persons["Hakainde Hichilema"][0] == "President"


def test_a_list_that_a_group_or_its_members_introduce_takes_part() -> None:
    record = _record(
        "Twenty-two countries endorse declaration to triple nuclear energy\n\n"
        "DUBAI, Dec 2, 2023. A declaration calling for a tripling of global nuclear energy capacity by 2050 was "
        "launched at COP28 on Saturday. The endorsing countries are the United States, Bulgaria, Canada, Ghana, "
        "Moldova, Mongolia and Morocco.\n")
    assert {"US", "BG", "CA", "GH", "MD", "MN", "MA"} <= set(record["countries"])


def test_each_leader_of_a_list_of_appositions_keeps_his_own_role_and_country() -> None:
    record = _record(
        "AZEC leaders meet in Tokyo\n\n"
        "Tokyo, December 18, 2023. The meeting was attended by H.E. Joko Widodo, President of the Republic of "
        "Indonesia, H.E. Ferdinand Romualdez Marcos Jr., President of the Republic of the Philippines, H.E. Anwar "
        "Ibrahim, Prime Minister of Malaysia, and H.E. Hun Manet, Prime Minister of the Kingdom of Cambodia.\n")
    persons = _persons(record)
    assert persons["Ferdinand Romualdez Marcos Jr"] == ("President", "PH")
    assert persons["Anwar Ibrahim"] == ("Prime Minister", "MY")
    assert persons["Hun Manet"] == ("Prime Minister", "KH")
    assert {"ID", "PH", "MY", "KH"} <= set(record["countries"])


def test_a_ceremony_is_a_meeting_unless_it_is_the_setting_of_a_signing() -> None:
    ceremony = _record(
        "Akkuyu receives nuclear facility status\n\n"
        "MERSIN, Türkiye (27 April 2023) - With a ceremony held at the construction site on Thursday, the Akkuyu "
        "Nuclear Power Plant received the status of a nuclear facility. President Recep Tayyip Erdoğan and Russian "
        "President Vladimir Putin joined the ceremony by video link. The plant is being built under an "
        "intergovernmental agreement signed between Türkiye and Russia in 2010.\n")
    assert [e["type"] for e in ceremony["events"]] == ["meeting"]
    signing = _record(
        "Bulgargaz and BOTAS sign gas deal\n\n"
        "ANKARA, Jan 3, 2023. Bulgargaz and BOTAS signed a 13-year agreement on access to Turkish LNG terminals. "
        "Bulgaria's Minister of Energy Rossen Hristov and Turkish Minister of Energy Fatih Donmez attended the "
        "ceremony.\n")
    assert [e["type"] for e in signing["events"]] == ["signing"]


def test_a_condition_or_a_possibility_is_no_happening() -> None:
    record = _record(
        "Iran and IAEA agree on inspections in Cairo\n\n"
        "CAIRO, 9 September 2025 - Iranian Foreign Minister Abbas Araghchi and IAEA Director General Rafael "
        "Grossi on Tuesday signed in Cairo a document on the resumption of inspections. Under a law passed by "
        "the Iranian parliament, any access by inspectors must first be approved by the Supreme National "
        "Security Council. Since June, inspectors have been able to visit only the Bushehr plant.\n")
    assert {e["type"] for e in record["events"]} <= {"signing", "meeting"}


def test_a_document_signed_by_it_binds_the_state_body_of_the_sentence_before() -> None:
    record = _record(
        "Baltic Pipe opens\n\n"
        "GOLENIOW, Poland, Sept 27, 2022. Poland, Denmark and Norway opened the Baltic Pipe gas link on Tuesday. "
        "Poland's state-controlled gas company PGNiG has booked most of the capacity. Earlier this month it "
        "signed a contract with Norway's state-controlled Equinor for 2.4 billion cubic metres a year.\n")
    contracts = [a for a in record["agreements"] if a["type"] == "contract"]
    assert contracts and "PL" in contracts[0]["countries"]
