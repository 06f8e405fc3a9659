package org.careline.flow;

import com.hankcs.hanlp.HanLP;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Brings the ways people type Chinese to one form before anything is read: traditional characters (Taiwan,
 * Hong Kong) to simplified with HanLP's maintained dictionary, written Cantonese to Mandarin words, and
 * pinyin or English typed for want of a Chinese keyboard glossed with the Chinese words they stand for. The
 * result is only read, never shown or stored: a free-text answer is kept as the person wrote it.
 *
 * <p>Pure and thread-safe. HanLP loads its dictionary on first use (about 0.3 s): call {@link #warmUp()} at
 * start-up on a worker thread, not on the event loop.
 */
public final class ChineseText {

    private ChineseText() {
    }

    /** Loads HanLP's conversion dictionary. */
    public static void warmUp() {
        HanLP.convertToSimplifiedChinese("後");
    }

    /**
     * Written Cantonese, after conversion to simplified characters, as Mandarin. Phrases, not single
     * characters where a character is also Mandarin (系 is 是 only in 我系, 唔系 …: 关系 stays 关系).
     */
    private static final Map<String, String> CANTONESE = cantonese();

    /** Pinyin typed without tones (spaces removed) for the words this line must never miss. */
    private static final Map<String, String> PINYIN = Map.ofEntries(
            Map.entry("xiangsi", "想死"), Map.entry("qusi", "去死"), Map.entry("yaosi", "要死"), Map.entry("zisha", "自杀"),
            Map.entry("zican", "自残"), Map.entry("buxianghuo", "不想活"), Map.entry("huobuxiaqu", "活不下去"),
            Map.entry("tiaolou", "跳楼"), Map.entry("tiaohe", "跳河"), Map.entry("gewan", "割腕"), Map.entry("shangdiao", "上吊"),
            Map.entry("anmianyao", "安眠药"), Map.entry("nongyao", "农药"), Map.entry("dawo", "打我"), Map.entry("nuedai", "虐待"),
            Map.entry("jiabao", "家暴"), Map.entry("xingqin", "性侵"), Map.entry("qiangjian", "强奸"), Map.entry("jiuming", "救命"),
            Map.entry("qiuzhu", "求助"), Map.entry("bangzhu", "帮助"), Map.entry("buzhu", "补助"), Map.entry("dibao", "低保"),
            Map.entry("jiuzhu", "救助"), Map.entry("rengong", "人工"), Map.entry("kefu", "客服"), Map.entry("jindu", "进度"),
            Map.entry("shangxin", "伤心"), Map.entry("haipa", "害怕"), Map.entry("bujianle", "不见了"), Map.entry("zoudiu", "走丢"),
            Map.entry("shanghaiziji", "伤害自己"), Map.entry("gezijide", "割自己的"), Map.entry("huashou", "划手"),
            Map.entry("dasiwo", "打死我"), Map.entry("xiaohai", "小孩"), Map.entry("haizi", "孩子"), Map.entry("zaiku", "在哭"),
            Map.entry("zaida", "在打"), Map.entry("dahaizi", "打孩子"), Map.entry("nuda", "虐打"), Map.entry("beida", "被打"),
            Map.entry("sile", "死了"), Map.entry("geshou", "割手"), Map.entry("xiaoshi", "消失"), Map.entry("jiujiuwo", "救救我"),
            Map.entry("bangbangwo", "帮帮我"), Map.entry("haonanshou", "好难受"), Map.entry("tongku", "痛苦"),
            Map.entry("juewang", "绝望"), Map.entry("bengkui", "崩溃"), Map.entry("buxiangshang", "不想上"));

    /**
     * English a person might type (a migrant family's child, a foreign neighbour), glossed with the Chinese
     * words that mean the same to the word lists.
     */
    private static final Map<String, String> ENGLISH = Map.ofEntries(
            Map.entry("kill myself", "自杀"), Map.entry("killing myself", "自杀"), Map.entry("suicide", "自杀"),
            Map.entry("suicidal", "自杀"), Map.entry("end my life", "结束生命"), Map.entry("end it all", "结束生命"),
            Map.entry("take my own life", "自杀"), Map.entry("want to die", "想死"), Map.entry("wanna die", "想死"),
            Map.entry("wish i was dead", "想死"), Map.entry("wish i were dead", "想死"), Map.entry("better off dead", "想死"),
            Map.entry("better off without me", "没有我大家会更好"), Map.entry("don't want to live", "不想活"),
            Map.entry("dont want to live", "不想活"), Map.entry("do not want to live", "不想活"),
            Map.entry("don't want to be alive", "不想活"), Map.entry("dont want to be alive", "不想活"),
            Map.entry("no reason to live", "不想活"), Map.entry("not wake up", "不想醒来"), Map.entry("overdose", "吞药"),
            Map.entry("cut myself", "割自己"), Map.entry("cutting myself", "割自己"), Map.entry("cutting", "割自己"),
            Map.entry("hurt myself", "伤害自己"), Map.entry("hurting myself", "伤害自己"), Map.entry("self harm", "自残"),
            Map.entry("self-harm", "自残"), Map.entry("burn myself", "伤害自己"), Map.entry("jump off", "跳楼"),
            Map.entry("hits me", "打我"), Map.entry("hit me", "打我"), Map.entry("beats me", "打我"), Map.entry("beat me", "打我"),
            Map.entry("beating me", "打我"), Map.entry("hurts me", "打我"), Map.entry("kicked me", "打我"), Map.entry("punched me", "打我"),
            Map.entry("slapped me", "打我"), Map.entry("choked me", "掐我"), Map.entry("abuse", "虐待"), Map.entry("abused", "虐待"),
            Map.entry("abusing", "虐待"), Map.entry("touched me", "猥亵"), Map.entry("touches me", "猥亵"), Map.entry("touching me", "猥亵"),
            Map.entry("molest", "猥亵"), Map.entry("rape", "强奸"), Map.entry("raped", "强奸"), Map.entry("nude", "裸照"),
            Map.entry("naked", "裸照"), Map.entry("beating the child", "打孩子"), Map.entry("beating the kid", "打孩子"),
            Map.entry("hitting the child", "打孩子"), Map.entry("hitting the kid", "打孩子"), Map.entry("hitting his", "打孩子"),
            Map.entry("hitting her", "打孩子"), Map.entry("beating his", "打孩子"), Map.entry("beating her", "打孩子"),
            Map.entry("child is missing", "孩子不见了"), Map.entry("kid is missing", "孩子不见了"), Map.entry("is missing", "失踪"),
            Map.entry("can't find my", "找不到孩子"), Map.entry("cannot find my", "找不到孩子"), Map.entry("lost my son", "孩子走丢"),
            Map.entry("lost my daughter", "孩子走丢"), Map.entry("left alone", "一个人在家"), Map.entry("home alone", "一个人在家"),
            Map.entry("abandoned", "遗弃"), Map.entry("locked", "锁在"), Map.entry("screaming", "惨叫"), Map.entry("fire", "着火"),
            Map.entry("drowning", "溺水"), Map.entry("in danger", "有危险"), Map.entry("not safe", "不安全"),
            Map.entry("scared to go home", "不敢回家"), Map.entry("afraid to go home", "不敢回家"),
            Map.entry("help me", "帮帮我"), Map.entry("emergency", "紧急"), Map.entry("threaten", "威胁"), Map.entry("threatens", "威胁"),
            Map.entry("threatened", "威胁"), Map.entry("no food", "没饭吃"), Map.entry("starving", "饿了好几天"),
            Map.entry("sleeping pills", "安眠药"), Map.entry("took like", "吞了药"), Map.entry("took all", "吞了药"),
            Map.entry("took a bunch", "吞了药"), Map.entry("took a lot of", "吞了药"), Map.entry("took too many", "吞了药"),
            Map.entry("overdosed", "吞了药"), Map.entry("took the whole", "吞了药"), Map.entry("pills", "吞药"), Map.entry("swallowed", "吞药"),
            Map.entry("dont want to wake up", "不想醒来"), Map.entry("don't want to wake up", "不想醒来"),
            Map.entry("never wake up", "不想醒来"), Map.entry("kill me", "杀了我"), Map.entry("if i tell", "告诉别人就"),
            Map.entry("my son", "儿子"), Map.entry("my daughter", "女儿"), Map.entry("child", "孩子"), Map.entry("kid", "孩子"),
            Map.entry("student", "学生"), Map.entry("baby", "宝宝"), Map.entry("didnt come home", "没回家"),
            Map.entry("didn't come home", "没回家"), Map.entry("not come home", "没回家"), Map.entry("phone is off", "联系不上"),
            Map.entry("burns", "烫伤"), Map.entry("bruises", "淤青"), Map.entry("stepmother", "后妈"), Map.entry("stepfather", "继父"),
            Map.entry("beaten", "被打"), Map.entry("being beaten", "被打"), Map.entry("cant get out", "着火出不去"), Map.entry("can't get out", "着火出不去"), Map.entry("trapped", "被困"),
            Map.entry("kill", "杀"),
            Map.entry("knife", "拿刀"), Map.entry("bleeding", "流了好多血"), Map.entry("blood", "血"), Map.entry("scared", "害怕"),
            Map.entry("afraid", "害怕"), Map.entry("terrified", "害怕"), Map.entry("hurt", "受伤"), Map.entry("hurts", "受伤"),
            Map.entry("police", "报警"), Map.entry("hopeless", "绝望"), Map.entry("give up", "撑不下去"),
            Map.entry("disappear", "想消失"), Map.entry("goodbye", "永别了"), Map.entry("end it", "结束生命"),
            Map.entry("hit", "打"), Map.entry("hits", "打"), Map.entry("hitting", "打"),
            Map.entry("beat", "打"), Map.entry("beats", "打"), Map.entry("beating", "打"), Map.entry("slap", "打"),
            Map.entry("yelling", "骂"), Map.entry("crying", "哭"), Map.entry("screams", "惨叫"), Map.entry("lost", "走丢"),
            Map.entry("missing", "失踪"), Map.entry("alone", "一个人在家"), Map.entry("hungry", "饿了"), Map.entry("starve", "饿了好几天"),
            Map.entry("nobody cares", "没人在乎我"), Map.entry("no one cares", "没人在乎我"), Map.entry("burden", "累赘"),
            Map.entry("sexual", "性侵"), Map.entry("private parts", "私处"), Map.entry("photos of me", "裸照"),
            Map.entry("video of me", "裸照"), Map.entry("hanging", "上吊"), Map.entry("rope", "上吊"));

    private static final Pattern ENGLISH_WORD = Pattern.compile(
            "\\b(i|i'm|im|you|my|me|the|to|a|is|are|want|help|please|hello|hi|can|do|don't|dont|speak|english|what|"
                    + "how|he|she|they|him|her|not|and|of|it|this|with|child|kid|son|daughter|mother|father|mom|dad)\\b");

    /** Pinyin keys and English phrases as automata, built once: a message is scanned once for each. */
    private static final Lexicon PINYIN_KEYS = Lexicon.exact(PINYIN.keySet());
    private static final Lexicon ENGLISH_KEYS = Lexicon.exact(ENGLISH.keySet());

    /** The text in simplified Mandarin characters, with glosses of pinyin and English appended. */
    public static String simplify(String raw) {
        if (raw == null || raw.isEmpty()) {
            return raw == null ? "" : raw;
        }
        String s = needsConversion(raw) ? HanLP.convertToSimplifiedChinese(raw) : raw;
        s = replaceAll(s, CANTONESE);
        if (!hasLatin(s)) {
            return s;
        }
        // "hit me up" is an invitation, not a blow.
        String lower = s.toLowerCase(Locale.ROOT).replace("hit me up", "");
        List<String> glosses = new ArrayList<>();
        // Pinyin is typed with or without spaces: read the letters alone ("wo xiang si" → woxiangsi).
        StringBuilder letters = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c >= 'a' && c <= 'z') {
                letters.append(c);
            }
        }
        PINYIN_KEYS.each(letters.toString(), (begin, end, key) -> glosses.add(PINYIN.get(key)));
        // English phrases count only as whole words ("skill" is not "kill").
        ENGLISH_KEYS.each(lower, (begin, end, phrase) -> {
            boolean startOk = begin == 0 || !Character.isLetter(lower.charAt(begin - 1));
            boolean endOk = end >= lower.length() || !Character.isLetter(lower.charAt(end));
            if (startOk && endOk) {
                glosses.add(ENGLISH.get(phrase));
            }
        });
        // The glosses as one clause: "my son" and "didn't come home" must meet as 儿子 + 没回家.
        return glosses.isEmpty() ? s : s + " " + String.join("", new java.util.LinkedHashSet<>(glosses));
    }

    /** Mostly English words: the person may not read Chinese (the bot then answers a short English line). */
    public static boolean isEnglish(String raw) {
        if (raw == null) {
            return false;
        }
        long han = raw.codePoints().filter(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN).count();
        if (han > 0) {
            return false;
        }
        Matcher m = ENGLISH_WORD.matcher(raw.toLowerCase(Locale.ROOT));
        int words = 0;
        while (m.find()) {
            words++;
        }
        return words >= 1 && raw.codePoints().filter(Character::isLetter).count() >= 4;
    }

    private static boolean hasLatin(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
                return true;
            }
        }
        return false;
    }

    /** HanLP only for text with characters beyond ASCII: most answers ("1", a phone number) skip it. */
    private static boolean needsConversion(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x2E7F) {
                return true;
            }
        }
        return false;
    }

    private static String replaceAll(String s, Map<String, String> table) {
        boolean any = false;
        for (String k : table.keySet()) {
            if (s.contains(k)) {
                any = true;
                break;
            }
        }
        if (!any) {
            return s;
        }
        // Longest first (the TreeMap is ordered by length, then text), so 唔系 wins over 唔.
        String out = s;
        for (var e : table.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    private static Map<String, String> cantonese() {
        Map<String, String> m = new TreeMap<>((a, b) -> a.length() != b.length() ? b.length() - a.length() : a.compareTo(b));
        String[][] pairs = {
                {"唔系", "不是"}, {"系唔系", "是不是"}, {"系咪", "是不是"}, {"我系", "我是"}, {"你系", "你是"}, {"佢系", "他是"},
                {"就系", "就是"}, {"都系", "都是"}, {"真系", "真是"}, {"唔", "不"}, {"冇", "没"}, {"咗", "了"}, {"佢哋", "他们"},
                {"我哋", "我们"}, {"你哋", "你们"}, {"佢", "他"}, {"畀", "给"}, {"俾", "给"}, {"嘅", "的"}, {"喺", "在"},
                {"睇", "看"}, {"乜嘢", "什么"}, {"咩", "什么"}, {"点解", "为什么"}, {"点样", "怎么样"}, {"边度", "哪里"},
                {"嚟", "来"}, {"攞", "拿"}, {"揾", "找"}, {"搵", "找"}, {"谂", "想"}, {"瞓", "睡"}, {"屋企", "家"},
                {"老豆", "爸爸"}, {"老窦", "爸爸"}, {"阿爸", "爸爸"}, {"阿妈", "妈妈"}, {"老母", "妈妈"}, {"细路仔", "小孩"},
                {"细路", "小孩"}, {"仔女", "孩子"}, {"个仔", "儿子"}, {"个女", "女儿"}, {"打到", "打得"}, {"成日", "整天"},
                {"而家", "现在"}, {"琴日", "昨天"}, {"啲", "些"}, {"咁", "这么"}, {"噉", "这样"}, {"嘢", "东西"},
                {"生存落去", "活下去"}, {"落去", "下去"}, {"唔该", "谢谢"}, {"冇人理", "没人管"}, {"食饭", "吃饭"},
                {"返屋企", "回家"}, {"返学", "上学"}, {"返工", "上班"}, {"好惊", "好怕"}, {"惊佢", "怕他"},
                {"掌掴", "打耳光"}, {"揼", "打"}, {"郁手", "动手"}, {"黐线", "疯了"}, {"鎅", "割"}, {"𠝹", "割"},
                {"捱", "熬"}, {"系我", "是我"}, {"系他", "是他"}, {"系你", "是你"}, {"系咁", "是这样"}, {"活著", "活着"}, {"著了", "着了"}, {"挨下去", "熬下去"}, {"挨落去", "熬下去"}, {"火烛", "着火"}, {"呢个", "这个"}, {"拎住", "拿着"}, {"匿埋", "躲起来"}, {"整嘅", "弄的"},
                {"出唔到去", "出不去"}, {"出不到去", "出不去"}, {"细佬", "弟弟"}, {"家姐", "姐姐"},
        };
        for (String[] p : pairs) {
            m.put(p[0], p[1]);
        }
        return m;
    }
}
