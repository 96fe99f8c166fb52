"""The action of a report (taxonomy.md "Actions"), one group of cases per rule of
tracker/tagging/actions.py, with headlines written for these tests. Most cases come in
pairs that differ only in the rule's cue (who acts, a hedge, where the phrase stands), so
each pair fails if the rule is lost."""
from __future__ import annotations

import shutil

import pytest

from tracker.models import ACTIONS
from tracker.tagger import tag_item
from tracker.tagging.actions import find_action
from tracker.tagging.text import prepare
from tracker.taxonomy import DEFAULT_DIR, TaxonomyError, load_taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def action(taxonomy, title, summary=""):
    """The action find_action gives, whether or not the text names a violation."""
    doc = prepare(title, summary)
    hits = taxonomy.index.scan(doc.text)
    return find_action(doc, hits, taxonomy.action_priority, taxonomy.default_action)[0]


def check(taxonomy, cases):
    got = {title: action(taxonomy, title, summary) for title, summary, _ in cases}
    assert got == {title: want for title, _, want in cases}


# -- the headline's main clause decides -----------------------------------------------

def test_the_headline_main_clause_outweighs_the_summary(taxonomy):
    check(taxonomy, [
        ("Novelists sue Quillon AI over pirated books in its training set",
         "The start-up paused its writing assistant last month and said it respects authors.",
         "lawsuit"),
        ("Quillon AI pauses its writing assistant",
         "Novelists sued the start-up in March over pirated books in its training set.",
         "response"),
    ])


def test_a_clause_after_after_or_amid_is_background(taxonomy):
    check(taxonomy, [
        ("Vendor pulls its chatbot after regulator opens inquiry", "", "response"),
        ("Regulator opens inquiry into vendor's chatbot", "", "investigation"),
        ("Retailer kept shoppers' face scans for years before it updated its terms", "",
         "report"),
    ])


def test_the_first_of_two_joined_steps_is_the_news(taxonomy):
    check(taxonomy, [
        ("Dutch watchdog fines face-search firm €9 million and orders deletion of its data",
         "The authority also banned the firm from collecting more photos.", "penalty"),
        ("Dutch watchdog orders face-search firm to delete its data and fines it €9 million",
         "", "restriction"),
    ])


# -- whether it happened -------------------------------------------------------------------

def test_hedged_threatened_or_future_steps_are_not_the_action(taxonomy):
    check(taxonomy, [
        ("Chip designer could face $300 million penalty over sales to blacklisted firm", "",
         "report"),
        ("Chip designer to pay $300 million penalty over sales to blacklisted firm", "",
         "penalty"),
        ("Photo agency threatens to sue image generator", "", "report"),
        ("Photo agency sues image generator", "", "lawsuit"),
        ("Competition authority set to charge graphics-card maker", "", "report"),
    ])


def test_negated_steps_do_not_count(taxonomy):
    check(taxonomy, [
        ("Court declines to block start-up's restructuring", "", "ruling"),
        ("Chatbot gave teen self-harm tips, parents say",
         "The developer did not respond to requests for comment.", "report"),
        ("Developer responds to parents over chatbot's self-harm tips", "", "response"),
        ("Lawmakers refuse to prohibit companion chatbots for minors", "", "report"),
    ])


def test_a_step_told_as_the_wrongdoing_is_not_the_action(taxonomy):
    check(taxonomy, [
        ("Welfare app accused of unfairly denying benefit claims", "", "report"),
        ("Crawler evades site blocks to copy news articles, network firm says", "", "report"),
        ("Smugglers evade export restrictions on accelerators via Singapore", "", "report"),
        ("Dataset built from videos although the site's rules ban scraping", "", "report"),
        ("Lab distilled a rival's model although OpenAI's terms prohibit it", "", "report"),
        ("Investors lost savings to deceptive promises, regulator says", "", "report"),
    ])


def test_an_earlier_step_in_the_past_perfect_is_background(taxonomy):
    check(taxonomy, [
        ("Crawler kept fetching pages from sites that had blocked it, network firm says", "",
         "report"),
    ])


# -- who does the verb -------------------------------------------------------------------------

def test_a_company_limiting_its_own_staff_or_service_responds(taxonomy):
    check(taxonomy, [
        ("Samsung bans staff from using chatbots after code leak", "", "response"),
        ("Microsoft bans employees from using DeepSeek's app", "", "response"),
        ("Character.AI to bar under-18s from open-ended chats", "", "response"),
        ("The platform blocks searches for singer's name after fake images spread", "",
         "response"),
    ])


def test_a_provider_cutting_off_accounts_or_a_rival_restricts(taxonomy):
    check(taxonomy, [
        ("OpenAI bans accounts linked to an influence campaign", "", "restriction"),
        ("Anthropic cuts off OpenAI's access to Claude", "", "restriction"),
        ("Midjourney bans all Stability AI employees from its service", "", "restriction"),
    ])


def test_an_authority_acting_restricts_even_with_a_response_verb(taxonomy):
    check(taxonomy, [
        ("California pulls robotaxi operator's driving permits", "", "restriction"),
        ("Chatbot maker pulls feature that exposed shared chats", "", "response"),
        ("Portugal bans iris-scanning project for 90 days", "", "restriction"),
        ("Clearview AI banned from collecting Italians' face data", "", "restriction"),
        ("Lithuania bans Chinese chatbot on government devices", "", "restriction"),
        ("Samsung loses licence waiver for chip tools at China plant", "", "restriction"),
        ("Italy's privacy watchdog stops chatbot from processing Italians' data", "",
         "restriction"),
    ])


def test_a_place_names_an_authority_only_when_it_acts(taxonomy):
    check(taxonomy, [
        ("UK pressure group accuses face search engine of abusing privacy", "", "report"),
        ("California regulator accuses carmaker of misleading driver-assist marketing", "",
         "lawsuit"),
        ("AI lab accuses rival of copying its models", "", "report"),
    ])


def test_it_acts_for_the_first_party_of_its_sentence(taxonomy):
    check(taxonomy, [
        ("Companion app blamed for teen's death",
         "The FTC said it banned the developer from marketing the app to minors.",
         "restriction"),
        ("Companion app blamed for teen's death",
         "The developer said it banned users under 18 from the app.", "report"),
        ("Companion app blamed for teen's death", "", "report"),
    ])


def test_a_directive_restricts_only_from_an_authority(taxonomy):
    check(taxonomy, [
        ("Newspaper tells AI start-up to stop using its articles", "", "report"),
        ("US orders chipmaker to stop selling accelerators to China", "", "restriction"),
        ("Chipmakers told to halt shipments of accelerators to China", "", "restriction"),
        ("Publishers ask chatbot maker to stop training on their archives", "", "report"),
    ])


def test_an_inquiry_needs_an_authority(taxonomy):
    check(taxonomy, [
        ("Microsoft looks into whether a rival siphoned data through its API", "", "report"),
        ("FTC opens inquiry into AI companion apps", "", "investigation"),
        ("Chatbot app faces scrutiny over violent replies", "", "report"),
        ("Robotaxi firm under investigation after car passed stopped school bus",
         "Regulators opened a preliminary evaluation of 2,000 vehicles.", "investigation"),
        ("Cloud provider found selling scraped profiles",
         "An investigation by reporters found the data came from public pages.", "report"),
    ])


def test_a_request_to_an_authority_is_a_formal_complaint(taxonomy):
    check(taxonomy, [
        ("Whistleblowers ask SEC to investigate start-up's gag agreements", "", "lawsuit"),
        ("Senators press chatbot makers for answers on teen safety", "", "investigation"),
        ("Actor demands answers from chatbot maker over voice", "", "report"),
    ])


# -- courts, penalties, suits --------------------------------------------------------------------

def test_a_court_deciding_is_a_ruling_even_when_it_awards_money(taxonomy):
    check(taxonomy, [
        ("Judge dismisses most claims in authors' suit against Meta", "", "ruling"),
        ("Jury finds carmaker partly liable for fatal crash",
         "Jurors awarded the family about $200 million in damages.", "ruling"),
        ("Judge fines lawyers $5,000 over invented citations", "", "penalty"),
        ("Judge gives preliminary approval to lab's $1.5 billion settlement with authors", "",
         "ruling"),
        ("Hiring-software vendor can be sued as an agent of employers, judge says", "",
         "ruling"),
    ])


def test_court_words_that_name_no_decision(taxonomy):
    check(taxonomy, [
        ("Court filings say executives approved training on pirated books", "", "report"),
        ("Chatbot maker fights court order to keep deleted chats", "", "response"),
        ("Carmaker to appeal $243 million verdict over fatal crash",
         "The company said the verdict ignored the driver's own negligence.", "response"),
        ("News agency sues chatbot maker in Delhi High Court",
         "The agency says the model was trained on its stories.", "lawsuit"),
    ])


def test_an_agencys_charges_settled_at_once_are_a_penalty(taxonomy):
    check(taxonomy, [
        ("SEC charges drive-thru start-up over claims about its AI",
         "The company agreed to settle and pay a $1 million penalty.", "penalty"),
        ("Authors sue AI lab over pirated books",
         "The lab agreed last year to pay a $1 million penalty in another case.", "lawsuit"),
    ])


def test_the_accused_judging_the_accusation_responds(taxonomy):
    check(taxonomy, [
        ("Search start-up calls publisher's lawsuit baseless", "", "response"),
        ("Studios call image generator a bottomless pit of plagiarism",
         "Their complaint asks a federal court to stop the service.", "lawsuit"),
        ("Chipmaker says its processors have no backdoors", "", "response"),
        ("Security firm says its processors were breached", "", "report"),
    ])


def test_a_company_reporting_what_it_found_is_a_report(taxonomy):
    check(taxonomy, [
        ("State-backed hackers used the chatbot to write malware, developer says",
         "The company said it had banned the accounts involved.", "report"),
        ("Platform detects unauthorized access to stored secrets",
         "It revoked tokens and urged users to refresh their keys.", "report"),
    ])


def test_a_companys_own_step_told_only_in_the_summary_is_its_reaction(taxonomy):
    check(taxonomy, [
        ("Search assistant told users to eat glue",
         "The company said it removed the feature.", "report"),
        ("Search company removes feature that told users to eat glue", "", "response"),
    ])


# -- later steps of a case, told without "rules" or "settles" ------------------------------------

def test_a_step_closing_the_headline_after_a_comma_is_the_news(taxonomy):
    check(taxonomy, [
        ("Quillon AI must face shareholder suit over chatbot claims, judge rules", "",
         "ruling"),
        ("Quillon AI faces shareholder suit over chatbot claims", "", "lawsuit"),
    ])


def test_a_case_noun_as_the_subject_of_the_courts_step_is_a_ruling(taxonomy):
    check(taxonomy, [
        ("Face-search firm's settlement wins final approval", "", "ruling"),
        ("Face-search firm's settlement gives plaintiffs a stake", "", "penalty"),
        ("Regulator's fine on chatbot maker annulled by Rome court", "", "ruling"),
        ("Regulator's fine on chatbot maker imposed over data collection", "", "penalty"),
        ("Chatbot rival's suit against phone maker and lab survives dismissal bid", "", "ruling"),
    ])


def test_a_settlement_told_without_the_word_is_a_penalty(taxonomy):
    check(taxonomy, [
        ("Novelists and Quillon AI reach $40m deal over pirated books", "", "penalty"),
        ("Record label ends fight with song generator over copied recordings", "", "penalty"),
        ("State wins $1.4bn from social network over face data", "", "penalty"),
        ("Chipmaker strikes $700m deal to buy start-up, drawing antitrust review", "",
         "investigation"),
    ])


def test_later_developments_get_the_action_of_their_step(taxonomy):
    """Our own headlines (tests/fixtures/later_developments.jsonl) about real cases."""
    import json
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "later_developments.jsonl"
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    cases = [(c["title"], c["summary"], c["action"]) for c in cases if c.get("action")]
    assert len(cases) >= 100
    check(taxonomy, cases)


# -- end to end ---------------------------------------------------------------------------------

def test_the_tagger_gives_the_action_and_its_evidence(taxonomy):
    tags = tag_item("Italy's privacy watchdog blocks chatbot app over data concerns",
                    "The authority said the app processed users' personal data unlawfully.",
                    taxonomy=taxonomy)
    assert tags.action == "restriction"
    assert tags.evidence["action:restriction"][0] == "blocks"


def test_every_action_id_is_reachable(taxonomy):
    titles = [
        "Judge rules chatbot output is not protected speech",
        "Regulator fines chatbot maker €5 million",
        "Regulator suspends chatbot app",
        "Authors sue chatbot maker",
        "Regulator opens probe into chatbot maker",
        "Chatbot maker apologises for offensive replies",
        "Study finds chatbot invents legal citations",
    ]
    assert [action(taxonomy, t) for t in titles] == list(
        ("ruling", "penalty", "restriction", "lawsuit", "investigation", "response", "report"))
    assert set(ACTIONS) == {action(taxonomy, t) for t in titles}


def test_action_cues_load_into_the_index(taxonomy):
    names = {name for specs in taxonomy.index._specs.values() for _, sets, _ in specs
             for name in (sets or {})}
    assert {"actcue:authority", "actcue:hedge", "actcue:negation"} <= names


def test_a_broken_cue_pattern_names_its_place(tmp_path):
    target = tmp_path / "taxonomy"
    shutil.copytree(DEFAULT_DIR, target)
    path = target / "actions.toml"
    text = path.read_text(encoding="utf-8").replace("hedge = [", "hedge = ['(unclosed', ", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"\[cues\] hedge"):
        load_taxonomy(target)


# -- phrasing classes of text written without the rules in view -------------------------

def test_walking_away_from_a_deal_is_a_response_not_its_break_fee(taxonomy):
    check(taxonomy, [
        ("Corvane abandons $12 billion takeover of Lumio",
         "The chipmaker will pay Lumio a $600 million break fee.", "response"),
        ("Corvane and Lumio call off their merger", "", "response"),
        ("Corvane agrees to pay $600 million to settle Lumio suit", "", "penalty"),
    ])


def test_a_trial_opening_is_a_step_of_the_suit(taxonomy):
    check(taxonomy, [
        ("Streamly goes on trial over its purchase of two rivals", "", "lawsuit"),
        ("Prosecutors' case against Streamly's ad exchange: trial opens in Boston", "",
         "lawsuit"),
        ("Judge rules Streamly's ad exchange is a monopoly after trial", "", "ruling"),
    ])


def test_the_filed_complaint_speaking_is_a_lawsuit(taxonomy):
    check(taxonomy, [
        ("Streamly accused of reading users' mail for its assistant",
         "A proposed class action says the company switched the feature on by default.",
         "lawsuit"),
        ("Streamly accused of reading users' mail for its assistant",
         "Researchers say the company switched the feature on by default.", "report"),
        # a company's own argument inside a motion, after a comma, is not the complaint
        ("Quillon says the paper tricked its chatbot",
         "In a motion to dismiss part of the suit, Quillon argues the prompts were rigged.",
         "report"),
    ])


def test_a_tip_to_a_regulator_or_a_challenge_by_groups_is_a_formal_complaint(taxonomy):
    check(taxonomy, [
        ("Former staff tell SEC that Quillon's contracts gagged them", "", "lawsuit"),
        ("Charities challenge welfare office's fraud-scoring algorithm",
         "They asked the council of state to stop the formula.", "lawsuit"),
    ])


def test_a_criminal_sentence_is_a_penalty(taxonomy):
    check(taxonomy, [
        ("Former engineer sentenced to probation for taking chip designs", "", "penalty"),
        ("Former engineer gets 90 days in prison for stealing robotaxi files", "",
         "penalty"),
        ("Former engineer convicted of stealing robotaxi files", "", "ruling"),
    ])


def test_money_counts_as_a_penalty_only_when_it_is_money(taxonomy):
    check(taxonomy, [
        ("Facefind says it has collected 40 billion photos from social sites", "", "report"),
        ("Authors win $40 million from Facefind in damages", "", "penalty"),
    ])


def test_a_platform_capping_or_easing_its_own_limits_responds(taxonomy):
    check(taxonomy, [
        ("Chirper caps how many posts users can read a day", "", "response"),
        ("Chirper raises its reading limits after outcry", "", "response"),
        ("Quillon adds weekly caps to its coding assistant", "", "response"),
        ("Vendor rewrites its terms again, ruling out training on customer calls", "",
         "response"),
    ])


def test_a_provider_cutting_off_a_developer_restricts(taxonomy):
    check(taxonomy, [
        ("Quillon suspends developer behind campaign chatbot", "", "restriction"),
        ("Toy maker loses chatbot access after explicit replies", "", "restriction"),
        ("The start-up suspends its voice feature after misuse", "", "response"),
    ])


def test_rules_taking_effect_and_permit_requirements_restrict(taxonomy):
    check(taxonomy, [
        ("Rare-metal licence rules take effect", "Exporters waited for permits.",
         "restriction"),
        ("Malaysia to require permits for exports of AI chips", "", "restriction"),
        ("Vendor's terms of use prohibit scraping its pages", "", "report"),
    ])


def test_an_authority_checking_or_finding_provisionally_investigates(taxonomy):
    check(taxonomy, [
        ("EU checks whether Streamly's stake in Quillon is a merger", "", "investigation"),
        ("UK watchdog provisionally finds design-tool deal harms competition", "",
         "investigation"),
        ("Researchers check whether chatbots repeat election myths", "", "report"),
    ])


def test_a_newsroom_investigation_that_found_something_is_a_report(taxonomy):
    check(taxonomy, [
        ("Welfare algorithm flagged migrants for fraud checks",
         "An investigation by two newspapers found the agency's model singled them out.",
         "report"),
        ("Regulator opens investigation into welfare algorithm", "", "investigation"),
    ])


def test_the_accused_brushing_off_claims_or_citing_its_rules_responds(taxonomy):
    check(taxonomy, [
        ("Chip firm chief dismisses claims about new hire as rumour", "", "response"),
        ("Judge dismisses claims against chip firm's new hire", "", "ruling"),
        ("Quillon says its rules bar weapons after turret video", "", "response"),
        ("Court says scraper didn't break Streamly's terms", "", "ruling"),
    ])


def test_labour_and_product_fixes_by_the_party_itself_respond(taxonomy):
    check(taxonomy, [
        ("Voice actors ratify contract, ending yearlong strike", "", "response"),
        ("Writers and studios reach tentative deal with AI safeguards", "", "response"),
        ("Retailer offers refunds to subscribers caught by price rise", "", "response"),
        ("Retailer must refund subscribers caught by price rise, regulator says", "",
         "penalty"),
        ("Mayor keeps error-prone city chatbot online", "", "response"),
    ])


def test_a_competition_authority_deciding_on_a_merger_is_a_ruling(taxonomy):
    # taxonomy.md: a merger-clearance decision is a ruling, blocked or cleared (dev-e)
    check(taxonomy, [
        ("Competition watchdog blocks chipmaker's takeover of a design-software firm", "",
         "ruling"),
        ("EU clears the cloud provider's purchase of a database start-up", "", "ruling"),
        ("Appeals court revives suit against the video app over a child's death", "",
         "ruling"),
        # the plaintiff reviving its own suit files it again
        ("Founder revives suit against the lab he helped start", "", "lawsuit"),
    ])


def test_quasi_judicial_decisions_are_rulings(taxonomy):
    # dev-f: labour boards, commissioners and competition authorities deciding are rulings
    check(taxonomy, [
        ("Watchdog says the chipmaker's tie-up with a start-up is not a merger", "", "ruling"),
        ("Alliance escapes merger control, cartel office finds", "", "ruling"),
        ("Regulator places the search giant under stricter competition oversight", "", "ruling"),
        ("Labour board judge rules the app company employs its couriers", "", "ruling"),
        ("Privacy commissioner finds the retailer's face scanning broke the law", "", "ruling"),
        ("Appeals court throws out the board's order against the carmaker", "", "ruling"),
        ("Tribunal rebukes lawyers over invented case citations", "", "ruling"),
    ])
