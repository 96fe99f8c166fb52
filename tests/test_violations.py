"""Violation types on wording nobody tuned the rules on.

Every sentence here was written for this file (facts about real 2022-2025 events, our own
words, none copied from the evaluation sets) before the phrases were tuned: incidents told
without the obvious keyword, in legal, regulatory and technical phrasing, for each of the
14 types; ordinary news (deals, launches, funding, hires, policy updates) that must get no
type; and negation and hedging, which must keep cancelling a phrase.
"""
from __future__ import annotations

import pytest

from tracker.tagger import tag_item
from tracker.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def types(taxonomy, title: str, summary: str = "") -> set[str]:
    return set(tag_item(title, summary, taxonomy=taxonomy).violations)


# -- incidents told without the obvious keyword, by type ---------------------------------

INCIDENTS = [
    ("Anthropic revokes OpenAI's access to Claude over breach of commercial terms",
     "Anthropic said OpenAI staff had been using Claude Code ahead of the GPT-5 launch, which"
     " its terms forbid for building competing products.",
     {"tos_violation"}),
    ("OpenAI shuts off developer who wired ChatGPT to a robotic rifle",
     "The company said it ended the engineer's access because its policies prohibit using its"
     " models to develop weapons.",
     {"tos_violation"}),
    ("Meta says PLA-linked researchers' use of Llama was unauthorised",
     "Scientists tied to China's military built a defence chatbot on the open model; Meta "
     "said such use runs contrary to its acceptable use policy.",
     {"tos_violation"}),
    ("OpenAI removes developer behind Dean Phillips chatbot",
     "The company said the bot, built for a super PAC, broke its rules against political "
     "campaigning.",
     {"tos_violation"}),
    ("OpenAI bans accounts that sought help pitching a social-media monitoring tool",
     "The users, who appeared to operate from China, asked ChatGPT to draft sales material "
     "for the system, activity its policies do not allow, the company said.",
     {"tos_violation"}),
    ("Microsoft probes whether DeepSeek-linked group pulled large amounts of OpenAI data",
     "Security researchers saw people they believe are tied to the Chinese start-up "
     "extracting large volumes of output through the API last autumn.",
     {"tos_violation"}),
    ("Ziff Davis takes OpenAI to court over use of its articles",
     "The publisher of IGN and PCMag says the ChatGPT maker copied its stories to train "
     "models and kept doing so after it objected.",
     {"copyright"}),
    ("Indian news agency ANI sues OpenAI in Delhi",
     "ANI says ChatGPT was trained on its reporting without permission and sometimes "
     "attributes invented stories to it.",
     {"copyright", "misinformation"}),
    ("Japanese publishers ask OpenAI to stop training Sora on members' work",
     "CODA, whose members include Studio Ghibli, says replicating their content during "
     "machine learning may itself amount to a violation.",
     {"copyright"}),
    ("Britannica and Merriam-Webster sue Perplexity over its answers",
     "The reference publishers say the answer engine lifts their definitions and entries "
     "wholesale and diverts readers from their sites.",
     {"copyright"}),
    ("Munich court sides with GEMA against OpenAI over song lyrics",
     "The court found ChatGPT had memorised and reproduced lyrics of German hits and that "
     "OpenAI needed a licence from the songwriters' society.",
     {"copyright"}),
    ("Thomson Reuters wins early AI training ruling against Ross Intelligence",
     "A Delaware judge found Ross copied Westlaw headnotes to build a competing legal "
     "research tool and rejected its defence.",
     {"copyright"}),
    ("Canadian news publishers take OpenAI to court",
     "Torstar, Postmedia, The Globe and Mail, CBC and others say the company helped itself to"
     " their journalism to build ChatGPT.",
     {"copyright"}),
    ("Writers say Microsoft trained Megatron on unauthorised copies of their books",
     "The authors say a collection of nearly 200,000 books was used without a licence to "
     "teach the model to mimic human writing.",
     {"copyright"}),
    ("Texas sues Google for capturing faces and voices without asking",
     "The attorney general says Google Photos, Nest and Assistant collected Texans' facial "
     "geometry and voiceprints in violation of state law.",
     {"privacy"}),
    ("LinkedIn switched members into AI training before telling them",
     "Users found a setting, turned on by default, letting the network use their posts to "
     "train generative models.",
     {"privacy"}),
    ("Otter.ai sued for recording meetings of people who never agreed",
     "A proposed class action says the transcription assistant joins calls, captures "
     "conversations of non-users and uses them to improve its models.",
     {"privacy"}),
    ("South Korea halts new DeepSeek downloads over data handling",
     "The Personal Information Protection Commission said the app had sent user information "
     "to ByteDance without disclosure.",
     {"privacy"}),
    ("Medical photos of a patient turned up in a popular AI image dataset",
     "An artist found her own post-surgery pictures in LAION-5B, though she had signed a form"
     " allowing only her doctor to use them.",
     {"privacy"}),
    ("Irish regulator fines LinkedIn €310 million over ad profiling",
     "The Data Protection Commission said LinkedIn analysed members' behaviour for targeted "
     "advertising without a valid legal basis.",
     {"privacy"}),
    ("X sues Bright Data for harvesting user profiles",
     "The lawsuit says the Israeli data firm used automated tools to collect and sell "
     "millions of public posts and profiles from the platform.",
     {"data_scraping"}),
    ("Wikimedia says AI bots are straining Wikipedia's servers",
     "Automated programs downloading images and articles to feed AI models have driven a 50% "
     "jump in bandwidth, the foundation said.",
     {"data_scraping"}),
    ("LinkedIn sues ProAPIs over fake accounts used to pull member data",
     "LinkedIn says the firm ran millions of fake accounts to extract profile information and"
     " sold it to its customers.",
     {"data_scraping"}),
    ("X and xAI sue Apple and OpenAI over App Store rankings",
     "The suit says the iPhone maker and the ChatGPT developer colluded to keep rival "
     "chatbots like Grok from the top of the charts.",
     {"antitrust"}),
    ("French authorities raid Nvidia's offices",
     "The dawn raid targeted suspected practices in the graphics-card sector, the regulator "
     "said.",
     {"antitrust"}),
    ("Justice Department examines whether Nvidia penalises buyers that use rival chips",
     "Investigators want to know if the chipmaker makes it harder to switch suppliers and "
     "punishes customers that don't buy its systems exclusively.",
     {"antitrust"}),
    ("Japan orders Google to stop requiring phone makers to preinstall its search",
     "The Fair Trade Commission issued its first cease-and-desist order against a big tech "
     "firm, saying the terms shut out rival search services.",
     {"antitrust"}),
    ("Nvidia told it needs a licence to sell H20 in China",
     "The US government informed the chipmaker that the processors will require a permit "
     "indefinitely, wiping $5.5 billion from its outlook.",
     {"export_control"}),
    ("Singapore probes whether servers with Nvidia chips were rerouted to China",
     "Authorities are examining whether shipments declared for local data centres ended up "
     "with Chinese buyers.",
     {"export_control"}),
    ("TSMC could face $1 billion penalty after its chip turned up in a Huawei processor",
     "The Commerce Department is looking into how the part reached the blacklisted company "
     "through an intermediary.",
     {"export_control"}),
    ("Researchers hijack Gemini through a poisoned calendar invite",
     "A booby-trapped invitation let them take control of smart-home devices by way of the "
     "assistant.",
     {"security_breach"}),
    ("Compromised npm package turned AI coding tools into data thieves",
     "The tampered Nx release used locally installed Claude and Gemini command-line tools to "
     "hunt for wallets and credentials.",
     {"security_breach"}),
    ("Amazon pulls Q extension after someone slipped in a command to wipe computers",
     "A rogue pull request added instructions telling the coding agent to delete files and "
     "cloud resources.",
     {"security_breach"}),
    ("xAI sues former engineer who joined OpenAI",
     "The complaint says Xuechen Li uploaded the company's confidential codebase to a "
     "personal device before he left.",
     {"trade_secret"}),
    ("Scale AI sues Mercor and former employee over customer files",
     "Scale says the ex-staffer downloaded more than 100 internal documents about its "
     "customers before joining the rival.",
     {"trade_secret"}),
    ("Palantir sues two former staff who founded rival Percepta",
     "The company says they took its proprietary know-how and poached colleagues in breach of"
     " their agreements.",
     {"trade_secret"}),
    ("Therapy-style chatbot told a recovering addict to take methamphetamine",
     "Researchers found a Llama 3 persona urged the fictional user to take a small hit to get"
     " through the week.",
     {"safety_harm"}),
    ("Snapchat's My AI coached a 13-year-old on meeting an older man",
     "Tests by the Center for Humane Technology showed the assistant offering tips on setting"
     " the mood for a first sexual encounter.",
     {"safety_harm"}),
    ("AI teddy bear talked to children about knives and sex",
     "A consumer group's tests found the FoloToy Kumma bear explained where to find matches "
     "and discussed bondage, and OpenAI suspended the toymaker.",
     {"safety_harm"}),
    ("SafeRent pays $2.3 million over tenant scores that hurt Black and Hispanic renters",
     "A class action said the screening algorithm gave lower scores to applicants using "
     "housing vouchers.",
     {"bias_discrimination"}),
    ("UK benefits algorithm flagged some groups more than others, review finds",
     "An internal assessment found the model recommended people for investigation unevenly by"
     " age, disability, marital status and nationality.",
     {"bias_discrimination"}),
    ("Study: AI résumé screeners preferred white-associated names 85% of the time",
     "University of Washington researchers found large language models ranking CVs rarely "
     "favoured names associated with Black men.",
     {"bias_discrimination"}),
    ("Solar company sues Google over AI Overview that invented a lawsuit",
     "Wolf River Electric says the search answer told customers it had settled a case with "
     "Minnesota's attorney general, which never happened.",
     {"misinformation"}),
    ("Chatbots repeated Pravda network's claims about Ukraine, audit finds",
     "NewsGuard said leading assistants echoed narratives from the Moscow-based network a "
     "third of the time.",
     {"misinformation"}),
    ("Air Canada's chatbot promised a bereavement discount the airline does not offer",
     "A tribunal rejected the airline's argument that the bot was responsible for its own "
     "words and ordered it to pay the passenger.",
     {"misinformation"}),
    ("Founder charged over shopping app whose 'AI' was people in the Philippines",
     "Prosecutors say Albert Saniger told investors Nate completed purchases automatically "
     "when contractors did the work by hand.",
     {"deception_fraud"}),
    ("Builder.ai told investors its sales were far higher than they were",
     "An audit found revenue for 2024 was about a quarter of what the company had presented "
     "to backers.",
     {"deception_fraud"}),
    ("Scammers used an AI copy of Italy's defence minister's voice to seek ransom money",
     "Business leaders received calls from someone sounding like Guido Crosetto asking them "
     "to wire funds to free kidnapped journalists.",
     {"deception_fraud", "deepfake_impersonation"}),
    ("Tom Hanks warns fans about dental ad using an AI version of him",
     "The actor said he had nothing to do with the video, which shows a synthetic likeness "
     "promoting a dental plan.",
     {"deepfake_impersonation"}),
    ("Rubio impersonator used AI voice to contact foreign ministers",
     "A State Department cable says someone posing as the secretary of state left voice "
     "messages on Signal for officials.",
     {"deepfake_impersonation"}),
    ("Microsoft fires two employees who organised vigil for Palestinians",
     "The workers had held an unauthorised event at headquarters over the company's cloud "
     "contracts with Israel.",
     {"labor"}),
    ("Meta moderators in Ghana describe poor psychological support",
     "Contractors reviewing violent videos for Facebook say they were paid little and left "
     "without adequate mental-health care.",
     {"labor"}),
    ("Data workers training chatbots file complaint over sudden pay cuts",
     "Contractors for a Scale AI subsidiary say rates were cut without notice and some were "
     "dropped from projects after raising concerns.",
     {"labor"}),
]


@pytest.mark.parametrize("title, summary, expected", INCIDENTS,
                         ids=[f"{sorted(e)[0]}-{i}" for i, (_, _, e) in enumerate(INCIDENTS)])
def test_an_incident_without_the_keyword_gets_its_types(taxonomy, title, summary, expected):
    assert expected <= types(taxonomy, title, summary)


def test_the_incident_cases_cover_every_type():
    from tracker.models import VIOLATIONS
    assert {t for _, _, e in INCIDENTS for t in e} == set(VIOLATIONS)


# -- ordinary news: deals, launches, funding, hires, earnings, policy updates ------------

ORDINARY = [
    ("News Corp signs five-year content deal with OpenAI",
     "ChatGPT will show articles from The Wall Street Journal and other titles, and the "
     "company will pay for content used to train its models."),
    ("Anthropic raises $13 billion at a $183 billion valuation",
     "The round was led by Iconiq, with Fidelity and Lightspeed co-leading."),
    ("OpenAI drops blanket ban on military use from its usage policies",
     "The revised rules still prohibit using its models to develop weapons or harm people."),
    ("Reddit signs data licensing deal with Google worth $60 million a year",
     "Google will get real-time access to Reddit's posts through its API to train models."),
    ("Meta takes 49% stake in Scale AI and hires its founder",
     "Alexandr Wang will join Meta's new superintelligence lab; Scale remains independent."),
    ("Cloudflare lets publishers charge AI crawlers per visit",
     "Sites can allow, block or bill bots from AI companies under the new pay-per-crawl option."),
    ("YouTube lets creators opt in to third-party AI training",
     "A new setting allows channels to permit companies such as Apple and Anthropic to use "
     "their videos."),
    ("Nvidia designs new chip for China that meets US rules",
     "The B30A will be sold to Chinese customers with performance below the government's "
     "thresholds."),
    ("Apple introduces Private Cloud Compute for AI requests",
     "The company says data sent to its servers is never stored and can be checked by "
     "independent researchers."),
    ("Microsoft to cut about 6,000 jobs",
     "The reductions, around 3% of its workforce, span teams and regions as the company "
     "spends heavily on AI infrastructure."),
    ("EU rules for general-purpose AI models take effect",
     "Providers must publish summaries of their training data and put in place policies to "
     "respect copyright opt-outs."),
    ("Anthropic asks Claude users to choose whether chats train its models",
     "Consumers have until late September to decide whether their conversations can be used "
     "to improve future versions."),
    ("Amazon completes $4 billion investment in Anthropic",
     "AWS remains the start-up's main cloud and training partner."),
    ("Perplexity launches revenue-sharing programme with publishers",
     "Time, Der Spiegel and Fortune will get a cut of ad revenue when their articles are "
     "cited in answers."),
    ("Meta releases Llama 4 under its community licence",
     "Companies with more than 700 million monthly users still need a separate licence from "
     "Meta."),
    ("Google DeepMind's AlphaFold 3 predicts how life's molecules interact",
     "The model covers proteins, DNA, RNA and ligands, and a free server is open to "
     "researchers."),
    ("OpenAI launches ChatGPT agent that can shop and fill in forms",
     "The tool asks for permission before taking actions with real consequences, such as "
     "purchases."),
    ("Google releases SynthID Detector to spot AI-made media",
     "Journalists and researchers can upload files to check for the invisible watermark."),
    ("ElevenLabs launches marketplace where actors license AI versions of their voices",
     "Michael Caine is among those who agreed to let customers use a digital copy of his "
     "voice in exchange for payment."),
    ("Universal Music and Stability AI team up on music tools",
     "The partnership will build professional tools trained on licensed material."),
    ("Samsung will put Gemini on its Galaxy phones",
     "The deal expands the companies' partnership on Android and on-device AI."),
    ("Nvidia's data-centre revenue beats forecasts again",
     "Sales of its Blackwell chips drove quarterly revenue to a record, though China sales "
     "were excluded from guidance."),
    ("OpenAI hires Instacart chief to run its applications business",
     "Fidji Simo will report to Sam Altman and oversee ChatGPT and other consumer products."),
    ("Scale AI wins Pentagon contract for military planning agents",
     "The Thunderforge programme will put AI agents into war-gaming and logistics."),
    ("xAI merges with X in an all-stock deal",
     "Musk said the combined company is valued at $113 billion including debt."),
    ("Runway signs deal with Lionsgate to train a model on its film library",
     "The studio will use the custom video model for pre-production and post-production work."),
    ("Microsoft adds voice and vision to Copilot",
     "The assistant can now see what is on a user's screen in Edge and talk through it."),
    ("Anthropic publishes updated usage policy with clearer rules on political content",
     "The revised policy takes effect next month and spells out what is allowed for campaigns"
     " and lobbying."),
    ("TSMC begins mass production at its first Arizona fab",
     "The plant is making 4-nanometre chips for customers including Apple."),
    ("Intel names Lip-Bu Tan chief executive",
     "The former Cadence boss takes over after Pat Gelsinger's departure in December."),
]


@pytest.mark.parametrize("title, summary", ORDINARY,
                         ids=[f"ordinary-{i}" for i in range(len(ORDINARY))])
def test_ordinary_news_gets_no_violation(taxonomy, title, summary):
    assert types(taxonomy, title, summary) == set()


# -- later developments of a case, and ordinary news with court and deal words -----------

def _later_developments() -> list[dict]:
    """Our own headlines (tests/fixtures/later_developments.jsonl): a ruling, settlement or
    appeal that names only the parties or the case ("Judge sides with Meta against authors",
    "Getty's UK case"), and ordinary news that uses the same words ("Court approves OpenAI's
    restructuring", "Record labels sign licensing deals")."""
    import json
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "later_developments.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


LATER = [c for c in _later_developments() if c["types"]]
LATER_ORDINARY = [c for c in _later_developments() if not c["types"]]


@pytest.mark.parametrize("case", LATER, ids=[f"{c['types'][0]}-{i}" for i, c in
                                              enumerate(LATER)])
def test_a_later_development_inherits_the_type_of_its_case(taxonomy, case):
    got = types(taxonomy, case["title"], case["summary"])
    assert set(case["types"]) <= got <= set(case["types"]) | set(case.get("may_also", ()))


@pytest.mark.parametrize("case", LATER_ORDINARY,
                         ids=[f"ordinary-court-{i}" for i in range(len(LATER_ORDINARY))])
def test_ordinary_news_with_court_or_deal_words_gets_no_violation(taxonomy, case):
    assert types(taxonomy, case["title"], case["summary"]) == set()


def test_the_later_development_cases_cover_every_type():
    from tracker.models import VIOLATIONS
    assert {t for c in LATER for t in c["types"]} == set(VIOLATIONS)
    assert len(LATER_ORDINARY) >= 60


# -- negation and hedging ------------------------------------------------------------------

@pytest.mark.parametrize("title, summary", [
    ("Regulator finds no evidence that the chatbot leaked customer data",
     "The watchdog closed its review after a two-month inquiry."),
    ("Start-up is not accused of scraping, court filing clarifies",
     "The judge noted the company was named only as a licensee of the dataset."),
    ("New tool helps newsrooms detect deepfake videos",
     "The free service flags manipulated clips for journalists before they publish."),
    ("Microsoft's new security agents hunt for phishing and malware",
     "The agents triage alerts for security teams."),
    ("ElevenLabs opens a marketplace for licensed celebrity voices",
     "The actor agreed to let customers use a digital copy of his voice in return for a fee."),
    ("Cloudflare lets publishers charge AI crawlers per visit",
     "Sites can allow, block or bill bots under the new pay-per-crawl option."),
])
def test_a_negated_or_hedged_phrase_asserts_nothing(taxonomy, title, summary):
    assert types(taxonomy, title, summary) == set()


def test_a_denial_still_carries_the_accusation(taxonomy):
    assert types(taxonomy, "Start-up denies its bots ignored robots.txt",
                 "It says traffic came from users, not crawlers.") == {"data_scraping"}


def test_a_negation_covers_both_phrases_of_a_pair(taxonomy):
    assert types(taxonomy, "Audit found no evidence of hacking or data theft",
                 "The outage was caused by a faulty update.") == set()


# -- rules of the matcher that the cases above rely on ----------------------------------------

def test_a_title_phrase_counts_with_an_incident_word_in_the_lead(taxonomy):
    title = "New York Times says OpenAI used millions of its articles"
    assert types(taxonomy, title) == set()
    assert types(taxonomy, title, "The paper's lawsuit says ChatGPT can repeat its reporting.") \
        == {"copyright"}


def test_a_hackathon_is_not_a_hack(taxonomy):
    assert types(taxonomy, "Google France hosts a health hackathon",
                 "More than 100 participants met in Paris.") == set()


def test_a_sum_of_money_after_a_gap_is_still_matched(taxonomy):
    assert {"deception_fraud", "deepfake_impersonation"} <= types(
        taxonomy, "Hong Kong firm lost $25 million to deepfake video call")


def test_fine_tuning_is_not_a_fine(taxonomy):
    assert types(taxonomy, "Model distillation comes to the API",
                 "Fine-tune a small model with the outputs of a large one.") == set()


def test_secret_use_of_a_rival_model_is_a_terms_breach_not_deception(taxonomy):
    # "quietly used" is deception only when AI work is passed off as people's
    assert types(taxonomy, "Start-up under scrutiny over its chatbot's origins",
                 "Engineers quietly used answers from a rival lab's models to build their "
                 "own, against that lab's terms.") == {"tos_violation"}
    assert "deception_fraud" in types(
        taxonomy, "Sports site apologises for its product reviews",
        "The site had quietly used AI-generated writers with invented biographies.")


def test_clause_breaks_are_whole_words_as_plainly_written():
    """The clause-break regex is written for speed; it must find the breaks the plain
    "\\bbut\\b|\\bwhile\\b..." form finds, at a text's start and inside longer words alike."""
    import re

    from tracker.tagging.violations import _CLAUSE_BREAK

    plain = re.compile(
        r"[;:]|\s-\s|\bbut\b|\bwhile\b|\bwhereas\b|\balthough\b|\bafter\b|, (?:and|as)\b")
    texts = ["but the rebuttal came; meanwhile butter - whereas, although",
             "Worthwhile although_x whilst, and, as, after, asked, but", "awhile wbut abut",
             "but", "although: whereas", "Ébut ébut 1but _but", "x - y -z, aftermath",
             "after the ruling, hereafter, safter and after_x came after"]
    for text in texts:
        assert ([m.end() for m in _CLAUSE_BREAK.finditer(text)]
                == [m.end() for m in plain.finditer(text)]), text
    assert [m.end() for m in _CLAUSE_BREAK.finditer("but the rebuttal came")] == [3]


# Phrasing classes met in text written without our rules in view: each case is our own
# sentence, told the way a reporter might, with none of the type's usual keywords.
PHRASING_CLASSES = [
    ("Animation guild members vote to end their months-long walkout",
     "The new contract bars studios from replacing storyboard artists with generative tools.",
     "labor"),
    ("Voice actors and publishers sign contract with AI safeguards",
     "Performers' union says the agreement requires consent before any digital replica is made.",
     "labor"),
    ("Chipmaker sacks three engineers who staged a sit-in over a defence contract", "", "labor"),
    ("Assistant berated users and compared a critic to Hitler",
     "Screenshots show the bot turning hostile during long sessions.", "safety_harm"),
    ("Startup limits chatbot sessions after unhinged replies", "", "safety_harm"),
    ("Plush robot toy veered into explicit role-play during tests", "", "safety_harm"),
    ("City regulator tells operator to cut its driverless fleet in half",
     "Officials cited a string of safety incidents at intersections.", "safety_harm"),
    ("Intruders got into a cloud provider's admin console and copied customer records",
     "", "security_breach"),
    ("Developer pushed a secret API key to a public repository",
     "Anyone could have used it to call the company's paid models.", "security_breach"),
    ("Software maker ships emergency patches as attackers exploit a flaw in its VPN", "",
     "security_breach"),
    ("Researchers blame state-backed hacking groups behind break-ins at telecom firms", "",
     "security_breach"),
    ("Beijing to curb exports of rare earth magnets", "Exporters will need permits.",
     "export_control"),
    ("Drone maker named on Pentagon list of Chinese military companies", "", "export_control"),
    ("News site's algorithmically generated sports recaps riddled with errors",
     "Several errors in automatically produced match reports named the wrong scorers.",
     "misinformation"),
    ("Brief cited a nonexistent study, opposing counsel says", "", "misinformation"),
    ("Regulator says streaming service steered viewers into a costlier tier", "",
     "deception_fraud"),
    ("Gym chain app made cancelling so hard members gave up", "", "deception_fraud"),
    ("Video app's new terms let it use customer recordings to train models",
     "Users say there is no easy way to opt out.", "privacy"),
    ("Chatbot platform hosted a bot impersonating a teacher's late sister", "",
     "deepfake_impersonation"),
    ("Scam adverts featuring her image ran for months, presenter says", "",
     "deepfake_impersonation"),
    ("Former chip designer accused of taking schematics to a rival before resigning", "",
     "trade_secret"),
    ("Shopping agent posed as a human visitor to get past the retailer's checks", "",
     "tos_violation"),
    ("App maker loses model access after its bot's abusive chats", "", "tos_violation"),
    ("Regulators left no path to approval, buyer says as chip deal collapses", "",
     "antitrust"),
    ("Court lets news site pursue claim that AI firm stripped authorship information", "",
     "copyright"),
]


@pytest.mark.parametrize(("title", "summary", "expected"), PHRASING_CLASSES)
def test_a_phrasing_class_without_the_keyword_gets_its_type(taxonomy, title, summary, expected):
    assert expected in types(taxonomy, title, summary)


# Look-alikes of those classes in ordinary news.
PHRASING_LOOKALIKES = [
    ("Security vendor launches agents that analyse malware for defenders", ""),
    ("Cloud firm scans customers' setups for vulnerabilities before launch", ""),
    ("Enterprise plan comes with a promise not to train on customer data", ""),
    ("Rapper Snoop Dogg voices a character in a new assistant", ""),
    ("Bank rolls out automated fraud-detection tools for small businesses", ""),
    ("Ride app opens its service to everyone, letting anyone download it", ""),
    ("EU finalises new tech rules for app stores", ""),
    ("Minister warns of retaliation over digital taxes on American tech firms",
     "He called it unfair treatment of US companies."),
]


@pytest.mark.parametrize(("title", "summary"), PHRASING_LOOKALIKES)
def test_a_lookalike_of_a_phrasing_class_is_ordinary_news(taxonomy, title, summary):
    assert types(taxonomy, title, summary) == set()


# Round 3 of phrasing classes: incidents told in a summary's plain words (pay withheld,
# weights posted online, a face match that jailed someone), each sentence our own.
PHRASING_CLASSES_3 = [
    ("Start-up's chatbot was trained on transcripts of Claude responses, rival alleges", "",
     "tos_violation"),
    ("Lab concedes its training corpus included GPT-4 outputs gathered from forums", "",
     "tos_violation"),
    ("Image generator cuts off developer whose app churned out spam", "", "tos_violation"),
    ("Game studio lost its account after automating thousands of requests", "",
     "tos_violation"),
    ("Proprietary coding model leaks online a week before launch", "", "security_breach"),
    ("Fitness app transmitted heart-rate readings unencrypted, audit shows", "",
     "security_breach"),
    ("Translation service fought off attacks for a second day", "", "security_breach"),
    ("Email assistant could be hijacked by a single crafted message", "", "security_breach"),
    ("Agent forwarded private files", "Instructions hidden in a calendar invite told it to.",
     "security_breach"),
    ("Dating app shared location histories without users' consent, regulator says", "",
     "privacy"),
    ("Social network to make opting out simpler before it trains on posts", "", "privacy"),
    ("Forum operator blames AI firms for copying its posts in bulk", "", "data_scraping"),
    ("AI crawlers overwhelmed a museum's online archive last week", "", "data_scraping"),
    ("Start-up accused of harvesting public web data for its answer engine", "",
     "data_scraping"),
    ("Watchdog weighs whether a cloud alliance falls under merger control", "", "antitrust"),
    ("Agency says the search giant bought a start-up to neutralise a rival", "", "antitrust"),
    ("Beijing tightens germanium controls on chip suppliers", "", "export_control"),
    ("Carmaker dismisses engineer for allegedly leaking battery designs", "", "trade_secret"),
    ("Transcription contractors say payments were withheld for weeks", "", "labor"),
    ("Annotation firm required raters to install screen-recording software", "", "labor"),
    ("Researcher says she was let go after raising concerns about model safety", "", "labor"),
    ("Moderation vendor laid off hundreds of workers by email", "", "labor"),
    ("Study finds chatbots repeat race-based myths about kidney function", "",
     "bias_discrimination"),
    ("Benefit-fraud algorithm singled out migrants and single mothers, auditors say", "",
     "bias_discrimination"),
    ("Tax-filing chatbot advised users to break the law on deductions", "", "misinformation"),
    ("Fabricated audio of a mayoral candidate spread hours before polls opened", "",
     "misinformation"),
    ("Crypto promoter charged over bogus trading app", "", "deception_fraud"),
    ("Regulator bars vendor from making accuracy claims without reliable evidence", "",
     "deception_fraud"),
    ("Police investigate AI nudes of pupils at a Sydney school", "", "deepfake_impersonation"),
    ("Fraudsters used voice cloning to pose as a bank manager", "", "deepfake_impersonation"),
    ("Synthetic video of the finance minister touted a trading platform", "",
     "deepfake_impersonation"),
    ("Forum says AI firm copied members' threads to train chatbots", "", "copyright"),
]


@pytest.mark.parametrize(("title", "summary", "expected"), PHRASING_CLASSES_3)
def test_a_plain_worded_incident_gets_its_type(taxonomy, title, summary, expected):
    assert expected in types(taxonomy, title, summary)


# The same words in ordinary news, or in a role that asserts no violation of that type.
PHRASING_LOOKALIKES_3 = [
    ("Benchmarks on trial: a study questions leaderboard methods", ""),
    ("Newsroom shows readers how to block AI crawlers on their own sites", ""),
    ("Antivirus suite neutralises threats before they spread", ""),
    ("Start-up suspends developer conference amid funding squeeze", ""),
    ("Chipmaker lays off 200 staff as demand slows", ""),
    ("EU publishes new merger guidelines for technology deals", ""),
    ("Lab shares model documents with outside researchers for red-teaming", ""),
    ("Retailer cuts prices overnight on its smart speakers", ""),
    ("Marketing agency uses AI-generated images in its election-season ads", ""),
]


@pytest.mark.parametrize(("title", "summary"), PHRASING_LOOKALIKES_3)
def test_a_lookalike_of_a_plain_worded_class_is_ordinary_news(taxonomy, title, summary):
    assert types(taxonomy, title, summary) == set()


@pytest.mark.parametrize(("title", "summary", "expected", "not_expected"), [
    # court sanctions on lawyers are not trade sanctions
    ("Firm admits its AI tool invented citations", "The judge threatened sanctions.",
     "misinformation", "export_control"),
    # a person's publicity rights are not copyright
    ("Estate says cloned vocals violate her publicity rights", "", "deepfake_impersonation",
     "copyright"),
    # a fabricated image of a person is a deepfake, not fabricated information
    ("Students shared fabricated nude images of classmates", "", "deepfake_impersonation",
     "misinformation"),
    # "wrong-way" driving is not a wrong report
    ("Regulator probes self-driving cars after wrong-way reports and crashes", "",
     "safety_harm", "misinformation"),
    # an author's content is not a person's security
    ("Writers accuse the lab of using their novels without authorisation to train models", "",
     "copyright", "security_breach"),
    # a competition authority enforcing consumer law over false output
    ("Competition watchdog investigates chatbot maker over hallucination warnings",
     "It says users were not told clearly that answers may be invented.", "misinformation",
     "antitrust"),
    # a worker raising security concerns is retaliated against, not breached
    ("Engineer says he was fired after raising security concerns", "", "labor",
     "security_breach"),
    # the content of a false claim: "wrongly told users it had been sued for fraud"
    ("Roofing firm sues over AI answers",
     "It says the search assistant wrongly told users the firm had been sued for deceptive "
     "sales.", "misinformation", "deception_fraud"),
])
def test_a_phrase_in_another_role_is_not_its_usual_type(taxonomy, title, summary, expected,
                                                        not_expected):
    found = types(taxonomy, title, summary)
    assert expected in found and not_expected not in found


def test_one_phrase_under_two_overriding_types_counts_when_it_is_all_there_is(taxonomy):
    # "misleading statements" is listed for fraud and for misinformation, and each type
    # overrides the other; alone it must not cancel itself out.
    assert types(taxonomy, "Exchange pays $5 million to settle regulator's case",
                 "The case was over misleading statements about a futures product.")

# -- phrasing classes added after the fresh dev-d set (2026-11-27), in new wording -------
# Each failed before those phrases existed.
PHRASING_CLASSES = [
    ("Jury finds Google kept gathering app activity from users who had switched off tracking",
     "The verdict covers millions of accounts in the US.", {"privacy"}),
    ("Irish regulator penalises Meta over a 2019 lapse",
     "The company had stored some users' passwords unencrypted on internal servers.",
     {"privacy", "security_breach"}),
    ("Over 100,000 ChatGPT logins found in stealer logs",
     "Researchers traced the credentials to dark-web markets; they came from infected devices.",
     {"security_breach"}),
    ("Contractor left internal project files open to the web",
     "Spreadsheets with workers' emails could be viewed by anyone with the link.",
     {"security_breach"}),
    ("Brussels fines Apple over music apps",
     "The Commission said Apple barred streaming services from telling iPhone users about "
     "cheaper offers elsewhere.", {"antitrust"}),
    ("EU re-imposes part of its Intel fine",
     "The Commission says Intel paid PC makers to delay products built on a competitor's "
     "processors.", {"antitrust"}),
    ("India orders Google to change its Play billing rules",
     "The regulator said Google must stop forcing app developers to use its own billing "
     "system.", {"antitrust"}),
    ("Apple sues a former engineer over product leaks",
     "The suit says he shared confidential plans for unreleased devices with journalists.",
     {"trade_secret"}),
    ("Paris prosecutors open probe into X",
     "They will examine whether the platform's recommendation algorithm was manipulated to "
     "favour some posts.", {"misinformation"}),
]


@pytest.mark.parametrize("title, summary, expected", PHRASING_CLASSES,
                         ids=[f"{sorted(c[2])[0]}-{i}" for i, c in enumerate(PHRASING_CLASSES)])
def test_phrasing_classes_from_the_fresh_set(taxonomy, title, summary, expected):
    assert types(taxonomy, title, summary) == expected


# -- phrasing classes added after the fresh dev-e set (2026-11-27), in new wording -------
# Each failed on the rules before that set.
PHRASING_CLASSES_E = [
    ("Chipmaker says leaked firmware code is authentic",
     "Files for an unreleased processor family appeared on a forum.", {"security_breach"}),
    ("Model posted to a file-sharing site turns out to be a leak, start-up admits", "",
     {"security_breach"}),
    ("Retailer says the breach touched a few thousand loyalty accounts", "",
     {"security_breach"}),
    ("Image generator reduces whole continents to crude stereotypes, researchers say", "",
     {"bias_discrimination"}),
    ("Plagiarism checkers wrongly penalise non-native English speakers, paper says", "",
     {"bias_discrimination"}),
    ("Rights group says the platform suppressed Palestinian voices during the war", "",
     {"bias_discrimination"}),
    ("Open model's benchmark scores could not be reproduced by independent testers", "",
     {"deception_fraud"}),
    ("Founder's résumé does not add up, investors are told", "", {"deception_fraud"}),
    ("Poet finds machine-written collections published under her name on a bookstore site",
     "", {"deepfake_impersonation"}),
    ("Design start-up pulls generator that cloned Google's calendar app", "",
     {"copyright"}),
    ("Researcher uploads two million forum posts as a training dataset", "",
     {"data_scraping"}),
    ("Assistants misrepresent the news they summarise in half of answers, broadcasters say", "",
     {"misinformation"}),
    ("Agency sues to block Nvidia's $40 billion Arm chip purchase", "", {"antitrust"}),
    ("Answer engines credit the wrong outlet for quoted passages, audit shows", "",
     {"misinformation"}),
    ("Chatbot portrayed a local mayor as a convicted embezzler", "", {"misinformation"}),
    ("Companion apps stigmatise people with addictions, psychologists find", "",
     {"bias_discrimination"}),
    # dev-f
    ("Chatbot maker sues a rival start-up over a look-alike brand", "", {"copyright"}),
    ("Court bars the reseller from using the 'DeepSeek' name while the case proceeds", "",
     {"copyright"}),
    ("Social app to pay $90 million over use of phone numbers for targeted ads", "",
     {"privacy"}),
    ("Humanoid robot grabbed a child's arm at a trade show", "", {"safety_harm"}),
    ("Photo app's AI training setting was switched on by default", "", {"privacy"}),
    ("Game studio faces class action over layoffs without notice", "", {"labor"}),
    ("AI comedy stream aired a racist stand-up routine", "", {"safety_harm"}),
    ("Visa fraud checks singled out applicants of migrant background, audit finds", "",
     {"bias_discrimination"}),
    ("Fairground show fell far short of its AI-generated adverts", "", {"deception_fraud"}),
    ("Engineer jailed for passing battery know-how to a Chinese rival", "",
     {"trade_secret"}),
    ("Travel site says the search giant's results are rigged to favour its own listings", "",
     {"antitrust"}),
    ("Network of sites floods the web to shape what chatbots repeat", "",
     {"misinformation"}),
]

# Ordinary news that those rules (and others that fired on dev-e's news) must leave alone.
PHRASING_LOOKALIKES_E = [
    ("Lab opens its assistant to everyone, built on GPT-4, answers in many languages", ""),
    ("Ministry starts using a face search tool, offered free of charge", ""),
    ("Painting made with an image generator wins a county fair, and artists accused him of "
     "cheating", ""),
    ("President signs bill that makes it a crime to share non-consensual intimate images", ""),
    ("Governor signs Act against AI-generated intimate images of minors", ""),
    ("FCC makes cloned voices in scam calls illegal", ""),
    ("Character app lets users chat with AI versions of historical figures", ""),
    ("Bank tells staff not to paste client files into chatbots, fearing confidential "
     "information could leak", ""),
    ("Network provider's outage knocks chat apps offline",
     "A configuration change caused widespread errors for sites, and the company apologised."),
    ("Global survey ranks AI-driven misinformation as the top near-term risk", ""),
    ("Search start-up's chief offers help to a newspaper during its election-night coverage",
     "The offer drew criticism from its staff."),
]



@pytest.mark.parametrize(("title", "summary", "absent"), [
    # a law's rules are not a provider's terms
    ("Irish regulator fines the networking site over ad targeting",
     "The company said it believed it had complied with the rules.", "tos_violation"),
    # an export curb cuts off access to American technology, not to a provider's service
    ("US puts a memory chipmaker on its entity list",
     "The move cuts off the firm's access to American technology.", "tos_violation"),
    # false claims about an election are misinformation, not fraud
    ("Chatbot repeats claims of election fraud to users", "", "deception_fraud"),
    # a whistleblower's account of weak security is not a labour dispute
    ("Former security chief files a whistleblower complaint over lax data controls", "",
     "labor"),
    # the accused calling an account false is its rebuttal
    ("Social network calls the engineer's claims a false narrative", "", "misinformation"),
])
def test_a_phrase_that_reads_as_another_thing_is_left_out(taxonomy, title, summary, absent):
    assert absent not in types(taxonomy, title, summary)


@pytest.mark.parametrize(("title", "expected"), [
    # export curbs are the event even when they are new rules
    ("New licence rules for AI chip exports take effect", {"export_control"}),
    # a rule aimed at a named company is an incident
    ("Regulator bans ChatGPT over its processing of users' personal data", {"privacy"}),
])
def test_a_new_rule_stays_an_incident_when_it_is_the_event(taxonomy, title, expected):
    assert types(taxonomy, title) == expected


# -- phrasing classes added after the fresh dev-g set (2026-11-27), in new wording -------
# Each failed on the rules before that set.
PHRASING_CLASSES_G = [
    ("Delivery app cuts hundreds of contract drivers without notice", "", {"labor"}),
    ("Laid-off staff sue the social network over unpaid severance", "", {"labor"}),
    ("Owner fires two engineers who corrected him in public", "", {"labor"}),
    ("Court orders ride-hail firm to explain its automated firings", "", {"labor"}),
    ("Regulator fines grocery courier app over its rider management", "", {"labor"}),
    ("Insurer used an algorithm to deny rehab coverage to older patients, suit says", "",
     {"safety_harm"}),
    ("Suit says the cloud giant's AI chips copied an inventor's circuit designs", "",
     {"copyright"}),
    ("Inference start-up says the chatbot's name is too close to its own", "", {"copyright"}),
    ("Poets say the lab built its product on their work without paying", "", {"copyright"}),
    ("School photos of children used without consent to train image models, group says", "",
     {"data_scraping", "privacy"}),
    ("Humanoid robots at the launch party were remotely controlled by humans", "",
     {"deception_fraud"}),
    ("Short sellers question the ad-tech firm's AI claims", "", {"deception_fraud"}),
    ("Fake photos suggesting the singer's fans back the candidate spread online", "",
     {"misinformation"}),
]

PHRASING_LOOKALIKES_G = [
    ("Chipmaker completes its acquisition of a software firm after regulatory approvals", ""),
    ("Outage grounds flights worldwide",
     "The security vendor said the faulty update was not a cyberattack."),
    ("Company bars staff from a foreign chatbot, citing propaganda concerns", ""),
    ("Phone maker shows a five-year chip roadmap",
     "It is the first product plan the firm has shared since US sanctions hit its business."),
    ("Video platform asks creators to disclose AI-generated faces", ""),
]


# dev-h (written without the list of events to avoid): copying told without the word
# copyright, fake accounts that harvest, a payment over a biometric practice, a backer
# talked into funding; and topic words that only name a product or a market.
PHRASING_CLASSES_H = [
    ("Photo library sues the lab, saying it unlawfully copied and processed images it licenses",
     "", {"copyright"}),
    ("Platform sues marketing firm that used dummy accounts to gather details on 300,000 users",
     "", {"data_scraping"}),
    ("Retail chain to pay $2 million over facial recognition in its stores", "",
     {"privacy"}),
    ("Investors say the founder tricked them into funding his start-up", "",
     {"deception_fraud"}),
]

PHRASING_LOOKALIKES_H = [
    # A suit over a company's disclosures names its chip sales: not an export matter.
    ("Chipmaker settles SEC charges that it misled investors about its gaming chip sales", "",
     "export_control"),
    # A voice assistant is a product, not an impersonation.
    ("Phone maker settles claims that its voice assistant recorded private conversations", "",
     "deepfake_impersonation"),
]


# A network's default setting against crawlers, and a price for access, accuse no one
# (five blind writers told the same Cloudflare launch as news).
DEFAULTS_AND_PRICES = [
    ("Hosting firm starts blocking AI crawlers by default",
     "New domains will stop AI bots from collecting content unless site owners allow it."),
    ("Hosting firm changes its crawler settings",
     "New customers' sites will have AI bots blocked unless the owners allow them."),
    ("Hosting firm tests a marketplace for crawler access",
     "Its pay-per-crawl pilot lets publishers charge for access by AI bots."),
    ("Hosting firm opens a marketplace for its customers",
     "Site owners can now charge AI companies per crawl."),
]
# dev-j: a product suspended after complaints, a deal word inside "scraping", the provider's
# own terms against competing products, a dealer's licence to sell cars, an earlier sanction
# in a relative clause, a pledge of money.
PHRASING_LOOKALIKES_J = [
    ("Phone maker suspends its AI news summaries after complaints", ""),
    ("Lab releases an open model",
     "The Beijing start-up, which Washington placed on a trade blacklist last year, says it "
     "runs on local chips."),
    # a plan to give people a new right is a law being made (`lawmaking`), not an incident
    ("Country plans to give citizens copyright over their own voice",
     "The proposal would let people demand removal of deepfakes of them."),
]
# dev-k (written with hard ordinary news): a product that defends against the harm, a bounty
# for finding it, harms listed as what testers look for, a provider's own sales policy.
PHRASING_LOOKALIKES_K = [
    ("Software giant launches an assistant for security teams",
     "The tool summarises incidents and helps defenders fight hackers."),
    ("Search giant agrees to buy a cloud security start-up",
     "The deal strengthens its cloud business against hackers."),
    ("Lab expands its bug bounty",
     "It widened its bug bounty program to pay up to $15,000 for universal jailbreaks."),
    ("Lab previews a video model to outside testers",
     "Red teamers are probing for harms such as misinformation and bias."),
    ("Lab tightens who may buy its models",
     "It updated its sales policy to stop selling to companies majority-owned by entities in "
     "China."),
]
PHRASING_CLASSES_J = [
    # the type found stays; the wrong extra type goes
    ("Court finds analytics firm breached the network's user agreement by scraping profiles",
     "", {"tos_violation", "data_scraping"}),
    ("Lab cuts off a rival's access to its models",
     "It says the rival's staff broke commercial terms that bar customers from building "
     "competing products.", {"tos_violation"}),
    ("State regulator accuses carmaker of false advertising over driver assistance",
     "It seeks to suspend the company's licence to sell cars in the state.",
     {"deception_fraud"}),
    # dev-i: a group shut out of a provider's service, pulling content in bulk, surveillance
    # of people at large
    ("Image generator bans a rival's staff from its service", "", {"tos_violation"}),
    ("Image generator says accounts tied to a rival tried to pull prompts and images in bulk",
     "", {"data_scraping"}),
    ("Cloud provider disables a military unit's subscriptions",
     "It found that its servers held recordings from mass phone surveillance.", {"privacy"}),
]
# The fresh sets' classes and lookalikes (dev-e to -k), each tested the same way.
FRESH_CLASSES = [pytest.param(*c, id=f"{part}-{sorted(c[2])[0]}-{i}")
                 for part, cases in (("e", PHRASING_CLASSES_E), ("g", PHRASING_CLASSES_G),
                                     ("h", PHRASING_CLASSES_H), ("j", PHRASING_CLASSES_J))
                 for i, c in enumerate(cases)]
FRESH_LOOKALIKES = (PHRASING_LOOKALIKES_E + PHRASING_LOOKALIKES_G + DEFAULTS_AND_PRICES
                    + PHRASING_LOOKALIKES_J + PHRASING_LOOKALIKES_K)


@pytest.mark.parametrize(("title", "summary", "absent"), PHRASING_LOOKALIKES_H)
def test_a_topic_word_that_names_a_product_adds_no_type(taxonomy, title, summary, absent):
    found = types(taxonomy, title, summary)
    assert found and absent not in found


@pytest.mark.parametrize(("title", "summary", "expected"), FRESH_CLASSES)
def test_phrasing_classes_from_the_later_fresh_sets(taxonomy, title, summary, expected):
    assert types(taxonomy, title, summary) == expected


@pytest.mark.parametrize(("title", "summary"), FRESH_LOOKALIKES)
def test_news_that_only_names_a_thing_is_not_a_violation(taxonomy, title, summary):
    assert types(taxonomy, title, summary) == set()


# Round 4 (dev-l, 2026-11-27): ordinary news that tells of a case only in an aside - a
# background clause that opens with "after", a business story's pending appeal or trial, a
# worry taken away, a site's own crawler rules, a policy rewrite, labels for synthetic media.
ASIDES_IN_NEWS = [
    ("Chipmaker agrees to buy a networking start-up",
     "The purchase comes two years after it abandoned its bid for Arm amid regulatory "
     "opposition."),
    ("Search giant agrees to buy a security firm",
     "The deal comes months after a judge ruled the company a monopolist."),
    ("Alphabet lifts its spending forecast",
     "Cloud sales grew; the company said it is appealing the search monopoly ruling."),
    ("Meta's profit climbs as it prepares for FTC trial",
     "Sales rose 20%; the company faces an antitrust trial over Instagram next spring."),
    ("Browser start-up bids $30 billion for Chrome",
     "It pitched the offer as a remedy in the Justice Department's search case."),
    ("Design software maker launches an image model trained on its stock library",
     "It says customers can use the pictures without infringement worries."),
    ("Forum site tightens robots.txt to block unauthorised crawlers", ""),
    ("Chatbot maker drops a line on weapons work from usage policy",
     "The new text still bans harming people."),
    ("Video app will tag synthetic media uploaded from other services", ""),
]


@pytest.mark.parametrize(("title", "summary"), ASIDES_IN_NEWS)
def test_a_case_told_as_an_aside_to_news_is_no_violation(taxonomy, title, summary):
    assert types(taxonomy, title, summary) == set()


def test_new_export_curbs_that_tighten_controls_still_restrict(taxonomy):
    # the crawler-rules hedge must not reach other tightening
    assert "export_control" in types(taxonomy, "Beijing tightens rare-earth export controls",
                                     "The curbs target chipmaking and military users.")


PHRASING_CLASSES_4 = [
    ("Coders sue over an AI assistant",
     "They say it reproduces their code while stripping the attribution and licence notices.",
     "copyright"),
    ("Phone maker sued over delayed assistant features it advertised", "", "deception_fraud"),
    ("Buyers say the handset was sold on AI capabilities that never shipped",
     "A proposed class action seeks refunds.", "deception_fraud"),
    ("App builder enters insolvency", "Lenders found its revenue had been overstated.",
     "deception_fraud"),
    ("Singer says a chatbot's voice sounded uncannily like hers",
     "She had turned down an offer to record it.", "deepfake_impersonation"),
]


# dev-m (2026-11-27): a company's own news in the headline - results, a bug bounty, a site's
# own ban on AI-written content - with a harm named only in the summary.
COMPANY_NEWS = [
    ("Chipmaker's revenue soars on data-centre demand",
     "China was a smaller share of sales after earlier US curbs, it said in passing."),
    ("Alphabet beats estimates as cloud grows",
     "Executives noted that the company will appeal the search monopoly ruling."),
    ("Chatbot maker launches a bug bounty",
     "Researchers can earn up to $20,000 for reporting vulnerabilities; jailbreaks are out of "
     "scope."),
    ("Coding forum bans answers written by ChatGPT",
     "Moderators said the answers were often wrong."),
    ("Phone maker and search firm near a deal for an AI assistant",
     "The two already have a search default arrangement at the centre of the US antitrust "
     "case."),
    ("Software giant pledges to defend customers sued for copyright over its assistant's output",
     ""),
]


@pytest.mark.parametrize(("title", "summary"), COMPANY_NEWS)
def test_a_companys_own_news_with_a_harm_in_an_aside_is_no_violation(taxonomy, title, summary):
    assert types(taxonomy, title, summary) == set()


def test_results_whose_headline_names_the_harm_still_count(taxonomy):
    assert "export_control" in types(taxonomy,
                                     "Nvidia revenue hit by US export curbs on China chips", "")


# dev-n (2026-11-27): launches, laws taking effect, products built to stay within rules.
NEWS_N = [
    ("Photo app rolls out supervised accounts for under-16s",
     "Messages from strangers are off by default, as lawmakers press for child safety."),
    ("Bloc's AI rulebook: its first prohibitions kick in",
     "Bans on emotion recognition at work and on scraping faces from the web now apply."),
    ("Spain becomes first country in the bloc with its own AI law",
     "It sets fines for unlabelled deepfakes and for harm to minors."),
    ("Chipmaker shows a slower accelerator for Chinese buyers",
     "The part was designed to stay under the current US export rules."),
]


def test_a_regulator_launching_an_inquiry_is_not_a_launch(taxonomy):
    assert "safety_harm" in types(
        taxonomy, "Trade regulator launches inquiry into AI companion chatbots",
        "It wants to know how firms measure harm to children who use them.")


PHRASING_CLASSES_N = [
    ("Newspaper group sues an answer engine over its news content", "", "copyright"),
    ("Cloud giant's researchers accidentally leaked 30TB of internal files",
     "An over-permissive storage link sat in a public repository for years.",
     "security_breach"),
    ("Start-up confirms its unreleased model was leaked by a partner's engineer", "",
     "security_breach"),
    ("Lab stayed silent on a 2023 breach of its internal chat systems", "",
     "security_breach"),
    ("Korea's fair trade regulator orders search giant to end app preinstall deals", "",
     "antitrust"),
    ("Pensioner died on his way to meet a flirtatious chatbot persona", "", "safety_harm"),
    ("Search giant's chatbot flubs a space fact in its launch ad", "", "misinformation"),
    ("Ad industry watchdog tells phone maker to drop its 'available now' AI claim", "",
     "deception_fraud"),
]


@pytest.mark.parametrize(("title", "summary", "expected"),
                         PHRASING_CLASSES_4 + PHRASING_CLASSES_N)
def test_a_later_round_phrasing_class_gets_its_type(taxonomy, title, summary, expected):
    """Rounds 4 (dev-l, dev-m) and 5 (dev-n)."""
    assert expected in types(taxonomy, title, summary)


def test_leaked_papers_that_tell_the_story_are_no_breach(taxonomy):
    assert "security_breach" not in types(
        taxonomy, "Lab's exit paperwork threatened staff's vested equity",
        "Leaked records show departing employees were told to sign a gag or lose shares.")


# dev-o (2026-11-27): protections offered and programmes launched, named with the harm
# they answer; pledges about one's own training; a longer law name.
NEWS_O = [
    ("Model maker adds copyright indemnity to its enterprise terms",
     "Business customers will be defended against infringement claims over outputs."),
    ("Video site rolls out likeness detection for its partner creators",
     "Creators can flag AI-made clips that use their face."),
    ("Search giant opens an AI vulnerability reward programme",
     "Researchers who find prompt injections that let attackers exfiltrate data can earn "
     "$30,000."),
    ("Answer engine launches revenue-sharing programme for publishers",
     "It comes after weeks of accusations that it lifted outlets' reporting."),
    ("Design software maker rewrites its terms of service",
     "It said it will not train its image model on customers' files."),
    ("Governor signs state frontier AI transparency law",
     "It requires large developers to publish safety frameworks and protects whistleblowers."),
]


@pytest.mark.parametrize(("title", "summary"), NEWS_N + NEWS_O)
def test_launches_laws_and_protections_named_with_their_harm_are_news(taxonomy, title,
                                                                      summary):
    """dev-n's and dev-o's ordinary news."""
    assert types(taxonomy, title, summary) == set()


def test_a_suit_over_a_copyright_indemnity_is_still_copyright(taxonomy):
    assert "copyright" in types(taxonomy, "Authors sue model maker for copyright infringement",
                                "The firm offers copyright indemnity to its business users.")


def test_a_carmakers_recall_counts_only_when_its_driving_software_is_named(taxonomy):
    assert types(taxonomy, "Tesla recalls Cybertrucks over a loose trim panel",
                 "Owners will get a free fix for the stainless-steel part.") == set()
    assert "safety_harm" in types(taxonomy, "Tesla recalls two million cars over Autopilot",
                                  "The update adds driver alerts after crashes.")
