"""The tagger on every trap class of the tagging issue, with sentences written for this
project: look-alike words, companies named only through a product, unit or nickname,
mentions that are not parties, incidents told without the obvious keyword, negation and
hedging, roles, actions and evidence."""
from __future__ import annotations

import pytest

from tracker.tagger import tag_item
from tracker.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def tag(taxonomy, title, summary=""):
    return tag_item(title, summary, taxonomy=taxonomy)


# -- the motivating case --------------------------------------------------------------

def test_project_seed_story_tags_parties_type_roles_and_evidence(taxonomy):
    tags = tag(taxonomy, "OpenAI suspends ByteDance's account over use of its models",
               "The TikTok owner used OpenAI's API, reached through Microsoft's Azure, to build "
               "a rival model called Project Seed, breaking both companies' terms of service.")
    assert set(tags.companies) == {"OpenAI", "ByteDance", "Microsoft"}
    assert tags.violations == ("tos_violation",)
    assert tags.action == "restriction"
    assert tags.roles["ByteDance"] == "accused"
    assert tags.roles["OpenAI"] == "affected"
    assert tags.roles["Microsoft"] == "affected"
    assert any("terms of service" in p for p in tags.evidence["violation:tos_violation"])
    assert "Project Seed" in tags.evidence["company:ByteDance"]


# -- words that only look like names ----------------------------------------------------

@pytest.mark.parametrize("title, summary", [
    ("Fintech start-up extends its cash runway", "The perplexity of investors grew."),
    ("Cloud costs fall as firms deploy models at scale", "Analysts see an inflection point."),
    ("Mistral winds batter the Riviera", "Boats stayed in port."),
    ("Claude Monet painting sells for record sum", "The auction house declined to comment."),
    ("Gemini, the crypto exchange, expands in Europe",
     "The Winklevoss-founded firm opened an office."),
    ("Physicists revisit the anthropic principle", "A new paper questions fine-tuning."),
    ("SpaceX launches another Starlink batch", "The rocket landed on a drone ship."),
    ("Schools buy Raspberry Pi kits for coding clubs", "Teachers welcomed the move."),
])
def test_lookalike_words_are_not_companies(taxonomy, title, summary):
    assert tag(taxonomy, title, summary).companies == ()


def test_capitalised_lookalike_in_a_title_case_headline_is_not_a_company(taxonomy):
    assert "Runway" not in tag(taxonomy, "Startup Extends Its Runway With New Funding").companies


@pytest.mark.parametrize("title, company", [
    ("Runway unveils Gen-3 Alpha video model", "Runway"),
    ("Perplexity sued by Dow Jones over news articles", "Perplexity"),
    ("Mistral AI raises funds in Paris", "Mistral AI"),
])
def test_the_real_companies_behind_lookalike_words_are_found(taxonomy, title, company):
    assert company in tag(taxonomy, title).companies


# -- companies named through a product, unit or nickname -------------------------------

@pytest.mark.parametrize("title, company", [
    ("The TikTok owner is building a chip team", "ByteDance"),
    ("The ChatGPT maker hires a new policy chief", "OpenAI"),
    ("The Facebook parent cuts jobs in its metaverse unit", "Meta"),
    ("LinkedIn adds AI writing tools for recruiters", "Microsoft"),
    ("Slack adds AI summaries for channels", "Salesforce"),
    ("YouTube tests AI dubbing for creators", "Google"),
    ("Waymo expands robotaxi service to Austin", "Google"),
    ("Grok gets an image editing feature", "xAI"),
    ("Claude can now search the web", "Anthropic"),
    ("Copilot comes to more Office apps", "Microsoft"),
    ("Musk's AI start-up raises another round", "xAI"),
    ("Instagram teens get new protections", "Meta"),
])
def test_products_units_and_nicknames_roll_up_to_the_parent(taxonomy, title, company):
    assert tag(taxonomy, title).companies == (company,)


# -- mentions that are not parties ----------------------------------------------------------

def test_the_outlet_that_reported_the_story_is_not_a_party(taxonomy):
    tags = tag(taxonomy, "Hackers stole details of OpenAI's AI designs",
               "An intruder accessed an internal forum last year, The New York Times reported.")
    assert tags.companies == ("OpenAI",)


def test_the_new_york_times_as_plaintiff_is_a_party_and_accuser(taxonomy):
    tags = tag(taxonomy, "The New York Times sues OpenAI and Microsoft over use of its articles")
    assert set(tags.companies) == {"The New York Times", "OpenAI", "Microsoft"}
    assert tags.roles["The New York Times"] == "accuser"
    assert tags.roles["OpenAI"] == "accused"


def test_a_rival_named_for_comparison_is_not_a_party(taxonomy):
    tags = tag(taxonomy, "Alibaba launches a rival to ChatGPT",
               "The company says its model beats GPT-4 on some benchmarks.")
    assert tags.companies == ("Alibaba",)


@pytest.mark.parametrize("title, company", [
    ("Amazon-backed Anthropic launches Claude 3", "Anthropic"),
    ("Microsoft-backed OpenAI sued by authors over books", "OpenAI"),
    ("Hugging Face raises $235 million from backers including Google and Nvidia", "Hugging Face"),
])
def test_an_investor_or_backer_is_not_a_party(taxonomy, title, company):
    assert tag(taxonomy, title).companies == (company,)


def test_a_strategic_investment_that_is_the_event_tags_both_sides(taxonomy):
    assert set(tag(taxonomy, "Amazon to invest $4 billion in Anthropic").companies) == {
        "Amazon", "Anthropic"}


def test_a_founders_other_company_is_not_a_party(taxonomy):
    tags = tag(taxonomy, "Kenya suspends Worldcoin's iris scanning",
               "The project, co-founded by OpenAI CEO Sam Altman, must halt enrolment.")
    assert tags.companies == ("Worldcoin",)


def test_a_former_employer_in_a_biography_is_not_a_party(taxonomy):
    tags = tag(taxonomy, "Start-up led by former Google engineer raises $50 million")
    assert tags.companies == ()


def test_a_former_employer_whose_secrets_were_taken_is_a_party(taxonomy):
    tags = tag(taxonomy, "Former Google engineer charged with stealing AI trade secrets")
    assert tags.companies == ("Google",)
    assert tags.violations == ("trade_secret",)


def test_a_venue_is_not_a_party(taxonomy):
    tags = tag(taxonomy, "DeepSeek tops the free charts on Apple's App Store",
               "The assistant became the most downloaded app in the US.")
    assert tags.companies == ("DeepSeek",)


def test_a_company_said_not_to_be_a_defendant_is_not_a_party(taxonomy):
    tags = tag(taxonomy, "xAI sues former engineer, alleging he took its trade secrets",
               "The engineer later joined OpenAI, which is not a defendant.")
    assert tags.companies == ("xAI",)


# -- violations told without the obvious keyword --------------------------------------------

def test_a_suit_over_use_of_its_articles_is_copyright(taxonomy):
    tags = tag(taxonomy, "Newspaper publisher sues AI start-up over use of its articles")
    assert tags.violations == ("copyright",)
    assert tags.action == "lawsuit"


def test_revoking_access_for_breaching_commercial_terms_is_a_terms_violation(taxonomy):
    tags = tag(taxonomy, "Anthropic revokes OpenAI's access to Claude",
               "The company said OpenAI staff were breaching its commercial terms.")
    assert tags.violations == ("tos_violation",)
    assert tags.roles["OpenAI"] == "accused"


@pytest.mark.parametrize("title, summary, expected", [
    ("US adds Chinese AI firm to the entity list", "", "export_control"),
    ("Regulator fines Meta over transfers of EU users' data to the US",
     "The authority said the company lacked a legal basis.", "privacy"),
    ("Reddit says Anthropic's crawlers hit its servers 100,000 times",
     "The site says the bots ignored its robots.txt rules.", "data_scraping"),
    ("Judge approves settlement in Clearview biometric privacy suit", "", "privacy"),
    ("Grok posts antisemitic replies praising Hitler", "", "safety_harm"),
    ("Finance clerk pays out $25 million after deepfake video call with fake CFO", "",
     "deepfake_impersonation"),
    ("Kenyan moderators say they were paid less than $2 an hour", "", "labor"),
    ("SEC charges adviser over misleading claims about its use of AI", "", "deception_fraud"),
    ("Chatbot falsely said a radio host embezzled money, lawsuit says", "", "misinformation"),
    ("Hiring tool rejected older applicants, EEOC says", "", "bias_discrimination"),
    ("Security firm finds exposed DeepSeek database with chat logs", "", "security_breach"),
    ("EU opens antitrust probe into Microsoft's Teams bundling", "", "antitrust"),
    ("Engineer indicted for taking confidential chip designs to a rival", "", "trade_secret"),
])
def test_each_type_is_found_from_phrasing(taxonomy, title, summary, expected):
    assert expected in tag(taxonomy, title, summary).violations


def test_an_item_gets_every_type_its_text_asserts(taxonomy):
    tags = tag(taxonomy, "The Times sues OpenAI over use of its journalism",
               "It says ChatGPT copied its articles and attributes made-up passages to the paper.")
    assert set(tags.violations) == {"copyright", "misinformation"}


# -- ordinary news, negation and hedging ------------------------------------------------------

@pytest.mark.parametrize("title, summary", [
    ("OpenAI launches GPT-4o with voice mode", "The model is free for all users."),
    ("Nvidia reports record data-centre revenue", "Shares rose after the results."),
    ("ChatGPT suffers an outage for several hours", "OpenAI said service was restored."),
    ("Google unveils a tool to detect deepfakes", "SynthID watermarks AI-generated images."),
    ("Cloudflare will block AI crawlers by default", "Sites can let bots in for a fee."),
    ("Outage was not caused by a cyberattack, company says",
     "Engineers found no evidence of a breach."),
    ("Anthropic publishes a report on the risks of AI misuse", "It calls for new safeguards."),
])
def test_ordinary_news_gets_no_violation_and_no_action(taxonomy, title, summary):
    tags = tag(taxonomy, title, summary)
    assert tags.violations == ()
    assert tags.action is None
    assert set(tags.roles.values()) <= {"party"}


def test_a_denied_accusation_keeps_its_type(taxonomy):
    tags = tag(taxonomy, "Perplexity denies scraping publishers' sites",
               "The company says its crawlers respect robots.txt.")
    assert tags.violations == ("data_scraping",)
    assert tags.action == "response"


# -- actions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("title, action", [
    ("Authors sue Meta over books used to train Llama", "lawsuit"),
    ("Judge dismisses most of the copyright claims against Meta", "ruling"),
    ("Italy fines OpenAI €15 million over ChatGPT privacy breaches", "penalty"),
    ("Anthropic agrees to pay $1.5 billion to settle authors' copyright suit", "penalty"),
    ("FTC opens investigation into OpenAI over consumer privacy", "investigation"),
    ("Italy's privacy watchdog bans Replika from processing users' data", "restriction"),
    ("OpenAI pauses ChatGPT voice that resembled Scarlett Johansson", "response"),
    ("Report finds chatbot gave harmful advice to teens about self-harm", "report"),
])
def test_the_action_says_what_this_report_says_happened(taxonomy, title, action):
    assert tag(taxonomy, title).action == action


def test_evidence_keeps_the_phrases_for_every_label(taxonomy):
    tags = tag(taxonomy, "Authors sue Meta over pirated books used to train Llama")
    assert set(tags.evidence) >= {"company:Meta", "violation:copyright", "action:lawsuit"}
    assert all(isinstance(p, str) and p for v in tags.evidence.values() for p in v)


def test_tagging_is_pure(taxonomy):
    args = ("Regulator fines Clearview AI for scraping faces", "It must delete the data.")
    assert tag(taxonomy, *args) == tag(taxonomy, *args)


def test_a_phrase_never_runs_from_the_title_into_the_summary(taxonomy):
    tags = tag(taxonomy, "Company launches new model trained on its own data",
               "Reviewers praised the results without reservation.")
    assert tags.violations == ()
