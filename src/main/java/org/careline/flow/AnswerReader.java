package org.careline.flow;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.careline.flow.FlowNode.Ask;
import org.careline.flow.FlowNode.AskType;
import org.careline.flow.FlowNode.Option;

/**
 * Reads one input as the answer to a question, or says it is not one. Answers are stored as plain
 * strings: choice values, {@code yes}/{@code no}, ISO dates, digits-only phone numbers, media ids.
 */
final class AnswerReader {

    /** The fields to set, and for a choice the option picked (it may say where to go next). */
    record Answer(Map<String, String> fields, Option option) {}

    private static final Pattern FULL_DATE = Pattern.compile("(\\d{4})[-/.年](\\d{1,2})[-/.月](\\d{1,2})[日号]?");
    private static final Pattern SHORT_DATE = Pattern.compile("(\\d{1,2})[-/.月](\\d{1,2})[日号]?");
    private static final Pattern CHINESE_NUMERAL = Pattern.compile("[零一二两三四五六七八九十]+");
    /** A landline with its area code (0523-86123456): some grandparents have no mobile phone. */
    private static final Pattern LANDLINE = Pattern.compile("0[1-9]\\d{1,2}\\d{7,8}");
    /** A local landline without its area code: the bureau's own district. */
    private static final Pattern LOCAL = Pattern.compile("[2-9]\\d{7}");
    private static final Pattern MOBILE_IN_TEXT = Pattern.compile("(?<!\\d)1[3-9]\\d{9}(?!\\d)");
    private static final Pattern PHONE_SEPARATORS = Pattern.compile("[\\s\\-()（）]");
    private static final Pattern COUNTRY_CODE = Pattern.compile("^\\+?86");
    private static final Pattern SPACE = Pattern.compile("\\s");
    private static final Pattern DIGIT = Pattern.compile("\\d");
    private static final Pattern PLACE_SUFFIX = Pattern.compile("(街道|镇|乡|社区|村|居委会)$");
    /** An ask's own pattern (a code's shape), compiled once per distinct pattern. */
    private static final Map<String, Pattern> ASK_PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A phone number, also inside a sentence ("我电话139 1234 5678"): a mobile anywhere in it, or a
     * landline when the answer is only the number.
     */
    static Optional<String> phone(String text) {
        String joined = COUNTRY_CODE.matcher(PHONE_SEPARATORS.matcher(TextNormalizer.normalize(text)).replaceAll("")).replaceFirst("")
                .replace("+86", "");
        Matcher mobile = MOBILE_IN_TEXT.matcher(joined);
        if (mobile.find()) {
            return Optional.of(mobile.group());
        }
        if (LANDLINE.matcher(joined).matches() || LOCAL.matcher(joined).matches()) {
            return Optional.of(joined);
        }
        return Optional.empty();
    }
    /** A mobile number anywhere in a sentence. */
    static Optional<String> mobileIn(String text) {
        String joined = PHONE_SEPARATORS.matcher(TextNormalizer.normalize(text)).replaceAll("").replace("+86", "");
        Matcher mobile = MOBILE_IN_TEXT.matcher(joined);
        return mobile.find() ? Optional.of(mobile.group()) : Optional.empty();
    }

    private static final Pattern INTEGER = Pattern.compile("\\d+");
    /** "刚才说了啊", "上面说过了": pointing back at what was said, not an answer of its own. */
    private static final Pattern ALREADY_SAID = Pattern.compile(
            "^(我|我不是|不是)?(刚才|刚刚|前面|上面|之前|已经|都)(都|已经)?(说|讲|写|告诉你)(过|了)+(的|啊|呀|吗|嘛|呢|吧|哦|啦)*$");

    private final Common common;
    private final Regions regions;

    AnswerReader(Common common, Regions regions) {
        this.common = common;
        this.regions = regions;
    }

    Optional<Answer> read(Ask ask, Input input, Map<String, String> fields, LocalDate today) {
        return read(ask, input, input instanceof Input.Text t ? t.text() : null, fields, today);
    }

    /** {@code raw}: the text as the person wrote it, kept for free-text answers ({@code input} may be simplified). */
    Optional<Answer> read(Ask ask, Input input, String raw, Map<String, String> fields, LocalDate today) {
        String f = ask.field();
        if (input instanceof Input.Media m) {
            AskType type = m.kind() == Input.MediaKind.VOICE ? AskType.VOICE : m.kind() == Input.MediaKind.IMAGE ? AskType.IMAGE : null;
            if (type == null || !ask.accepts(type) || m.mediaId() == null) {
                return Optional.empty();
            }
            String tagged = type.yamlName + ":" + m.mediaId();
            if (ask.types().size() == 1) {
                return answer(f, m.mediaId());
            }
            // A description may come as text, voice or photos: keep every media id beside the text.
            Map<String, String> out = new LinkedHashMap<>();
            String before = fields.get(f + "_media");
            out.put(f + "_media", before == null || before.isEmpty() ? tagged : before + "," + tagged);
            out.put(f, fields.getOrDefault(f, tagged));
            return Optional.of(new Answer(out, null));
        }
        if (input instanceof Input.Location l) {
            if (!ask.accepts(AskType.LOCATION)) {
                return Optional.empty();
            }
            Map<String, String> out = new LinkedHashMap<>();
            out.put(f, l.label() == null || l.label().isBlank() ? l.latitude() + "," + l.longitude() : l.label());
            out.put(f + "_lat", Double.toString(l.latitude()));
            out.put(f + "_lng", Double.toString(l.longitude()));
            return Optional.of(new Answer(out, null));
        }
        if (!(input instanceof Input.Text t) || TextNormalizer.compact(t.text()).isEmpty()) {
            return Optional.empty();
        }
        for (AskType type : ask.types()) {
            Optional<Answer> a = readText(type, ask, type == AskType.TEXT && raw != null ? raw : t.text(), fields, today);
            if (a.isPresent()) {
                return a;
            }
        }
        return Optional.empty();
    }

    private Optional<Answer> readText(AskType type, Ask ask, String raw, Map<String, String> fields, LocalDate today) {
        String f = ask.field();
        String text = TextNormalizer.normalize(raw);
        return switch (type) {
            case TEXT -> {
                if (ask.pattern() == null) {
                    if (ALREADY_SAID.matcher(TextNormalizer.compact(raw)).matches()) {
                        // "刚才说了啊" is no description: the story told before, if any, is the answer.
                        String told = fields.get("first_message");
                        yield told == null || told.isBlank() ? Optional.empty() : answer(f, told);
                    }
                    yield answer(f, raw.strip()); // free text is kept as the person wrote it
                }
                // A code is compared and kept half-width: "ＡＢ１２３４" is "AB1234".
                String code = java.text.Normalizer.normalize(raw, java.text.Normalizer.Form.NFKC).strip();
                // The part that matches is the answer ("绑定 123456" gives 123456).
                Matcher m = ASK_PATTERNS.computeIfAbsent(ask.pattern(), Pattern::compile).matcher(code);
                yield m.find() ? answer(f, m.group()) : Optional.empty();
            }
            case CHOICE -> choice(ask.options(), raw).or(() -> meant(ask.options(), raw))
                    .map(o -> labelled(f, o.value(), o.label(), o));
            case YES_NO -> yesNo(raw).map(yes -> labelled(f, yes ? "yes" : "no",
                    yes ? first(common.yesWords()) : first(common.noWords()), null));
            case PHONE -> phone(text).map(p -> answer(f, p).get());
            case ID_NUMBER -> {
                String id = SPACE.matcher(text).replaceAll("").toUpperCase();
                yield ChineseIdNumber.isValid(id) ? answer(f, id) : Optional.empty();
            }
            case DATE -> {
                Optional<Answer> exact = (ask.future() == null ? date(text, today)
                        : pastDate(text, today).filter(d -> !d.isAfter(today))).map(d -> labelled(f,
                        d.format(DateTimeFormatter.ISO_LOCAL_DATE),
                        (d.getYear() == today.getYear() ? "" : d.getYear() + "年") + d.getMonthValue() + "月" + d.getDayOfMonth() + "日",
                        null));
                // Where no exact day is needed (no future: text, e.g. when a change happened), "上个月" will do.
                yield exact.isPresent() || ask.future() != null ? exact : approximateDate(text, today)
                        .map(a -> labelled(f, a.date().format(DateTimeFormatter.ISO_LOCAL_DATE), a.label(), null));
            }
            case NUMBER -> number(text).map(n -> answer(f, Integer.toString(n)).get());
            case AGE -> age(text).map(months -> ageAnswer(f, months));
            case REGION -> region(ask, raw, fields).map(name -> labelled(f, name, name, null));
            case IMAGE, VOICE, LOCATION, CHILD -> Optional.empty(); // a child is picked by the engine, from the context
        };
    }

    private static Optional<Answer> answer(String field, String value) {
        return Optional.of(new Answer(Map.of(field, value), null));
    }

    private static Answer labelled(String field, String value, String label, Option option) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(field, value);
        out.put(field + "_label", label);
        return new Answer(out, option);
    }

    private static String first(List<String> words) {
        return words.isEmpty() ? "" : words.get(0);
    }

    /** By number ("2", "第二个", "２"), then by the whole label, then by an option's words inside the message. */
    static Optional<Option> choice(List<Option> options, String raw) {
        OptionalInt n = TextNormalizer.choiceNumber(raw);
        if (n.isPresent()) {
            int i = n.getAsInt();
            return i >= 1 && i <= options.size() ? Optional.of(options.get(i - 1)) : Optional.empty();
        }
        String s = TextNormalizer.compact(raw);
        for (Option o : options) {
            if (s.equals(TextNormalizer.compactWord(o.label())) || s.equals(TextNormalizer.compactWord(o.value()))) {
                return Optional.of(o);
            }
        }
        // The longest word found decides: "没有本地户口" is about having none, though it holds "本地".
        Option best = null;
        int bestLength = 0;
        for (Option o : options) {
            if (ruledOut(o, s)) {
                continue;
            }
            for (String w : o.words()) {
                String cw = TextNormalizer.compactWord(w);
                // A one-character word (嗯, 是) counts only as the whole answer, as in yes/no questions.
                if (found(s, cw) && cw.length() > bestLength) {
                    best = o;
                    bestLength = cw.length();
                }
            }
        }
        if (best != null) {
            return Optional.of(best);
        }
        for (Option o : options) {
            String label = TextNormalizer.compactWord(o.label());
            if (s.length() >= 2 && !ruledOut(o, s) && (label.contains(s) || s.contains(label))) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /**
     * The word by which {@link #choice} picks an option from a sentence (the longest found), or empty when the
     * answer is a number, a label or nothing. The engine asks what the message says beyond it.
     */
    static Optional<String> choiceWord(List<Option> options, String raw) {
        if (TextNormalizer.choiceNumber(raw).isPresent()) {
            return Optional.empty();
        }
        Optional<Option> picked = choice(options, raw);
        if (picked.isEmpty()) {
            return Optional.empty();
        }
        String s = TextNormalizer.compact(raw);
        String best = null;
        for (String w : picked.get().words()) {
            String cw = TextNormalizer.compactWord(w);
            if (found(s, cw) && (best == null || cw.length() > best.length())) {
                best = cw;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The option that is this yes or no ({@code means}), when the answer is one of common.yaml's yes/no words
     * and no option's own word picked anything: "是的" or "嗯嗯" at "您同意吗？", "不" at "孩子现在安全吗？".
     */
    private Optional<Option> meant(List<Option> options, String raw) {
        if (options.stream().noneMatch(o -> o.means() != null)) {
            return Optional.empty();
        }
        String s = TextNormalizer.compact(raw);
        return yesNo(raw).flatMap(yes -> options.stream()
                .filter(o -> (yes ? "yes" : "no").equals(o.means()) && !ruledOut(o, s)).findFirst());
    }

    /**
     * Whether an answer holds a word of the flows. A one-character word (嗯, 是, 对, 好) counts only as the whole
     * answer — "他们会知道是我吗" holds 是 but is a question — also said twice or with a particle, as people
     * type it: 嗯嗯, 是的, 对的, 好呀, 好嘞, 嗯呢. Longer words count anywhere in the answer.
     */
    static boolean found(String answer, String word) {
        if (word.isEmpty()) {
            return false;
        }
        if (word.codePointCount(0, word.length()) == 1) {
            return answer.equals(word) || bare(answer).equals(word);
        }
        return answer.contains(word);
    }

    /** Particles that end an everyday answer without changing it (是的, 好呀, 嗯呢); 了 changes it (不了, 好了). */
    private static final String PARTICLES = "的啊呀吧呢哦噢喔嘛啦哈嘞咯滴";

    /** The answer without its closing particles, and a word said twice or more once (嗯嗯嗯 is 嗯). */
    static String bare(String answer) {
        int end = answer.length();
        while (end > 1 && PARTICLES.indexOf(answer.charAt(end - 1)) >= 0) {
            end--;
        }
        String core = answer.substring(0, end);
        if (core.length() > 1 && core.chars().allMatch(c -> c == core.charAt(0))) {
            return core.substring(0, 1);
        }
        return core;
    }

    private static boolean ruledOut(Option o, String compacted) {
        for (String w : o.not()) {
            String cw = TextNormalizer.compactWord(w);
            if (!cw.isEmpty() && compacted.contains(cw)) {
                return true;
            }
        }
        return false;
    }

    Optional<Boolean> yesNo(String raw) {
        OptionalInt n = TextNormalizer.choiceNumber(raw);
        if (n.isPresent()) {
            return n.getAsInt() == 1 ? Optional.of(true) : n.getAsInt() == 2 ? Optional.of(false) : Optional.empty();
        }
        String s = TextNormalizer.compact(raw);
        // "不同意" contains "同意": negative words are checked first.
        for (String w : common.noWords()) {
            if (says(s, w)) {
                return Optional.of(false);
            }
        }
        for (String w : common.yesWords()) {
            if (says(s, w)) {
                return Optional.of(true);
            }
        }
        return Optional.empty();
    }

    /** See {@link #found}: "他们会知道是我吗" holds 是 but is a question, not a yes. */
    private static boolean says(String answer, String word) {
        return found(answer, TextNormalizer.compactWord(word));
    }

    /** 2026-11-03, 2026年11月3日, 11月3日, 11.3, 十一月三号, 今天/昨天/前天, 上周五, 3天前, 一周前. A date without a year that would
     * lie in the future is taken as last year's: people report things that already happened. */
    static Optional<LocalDate> date(String text, LocalDate today) {
        return date(text, today, false);
    }

    /**
     * A date that has already happened, as {@link #date} reads it, except that a date without a year rolls back
     * to last year only when that is recent ({@link #RECENT_DAYS}): "12月20日" said on 3 January is last
     * December's, but "12月5日" said on 2 December lies ahead and is returned as such (to be refused).
     */
    static Optional<LocalDate> pastDate(String text, LocalDate today) {
        return date(text, today, true);
    }

    /** How far back a date without a year (or month) may be read when its plain reading lies ahead. */
    static final int RECENT_DAYS = 60;

    private static LocalDate back(LocalDate plain, LocalDate earlier, LocalDate today, boolean strict) {
        if (!plain.isAfter(today)) {
            return plain;
        }
        return !strict || !earlier.isBefore(today.minusDays(RECENT_DAYS)) ? earlier : plain;
    }

    private static Optional<LocalDate> date(String text, LocalDate today, boolean strict) {
        String s = TextNormalizer.compact(text.replace('.', '-').replace('/', '-'));
        if (s.contains("明天") || s.contains("明日")) {
            return Optional.of(today.plusDays(1));
        }
        if (s.contains("大前天")) {
            return Optional.of(today.minusDays(3));
        }
        if (s.contains("前天")) {
            return Optional.of(today.minusDays(2));
        }
        if (s.contains("昨天") || s.contains("昨日")) {
            return Optional.of(today.minusDays(1));
        }
        if (s.contains("今天") || s.contains("今日")) {
            return Optional.of(today);
        }
        Matcher weekday = WEEKDAY.matcher(s);
        if (weekday.find()) {
            int dow = "一二三四五六日天".indexOf(weekday.group(3)) + 1;
            if (dow == 8) {
                dow = 7;
            }
            // The most recent such day up to today; "上周五" is that day of last week.
            java.time.DayOfWeek day = java.time.DayOfWeek.of(dow);
            LocalDate thisWeek = today.with(java.time.temporal.TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY))
                    .with(java.time.temporal.TemporalAdjusters.nextOrSame(day));
            if (weekday.group(1) != null && weekday.group(1).startsWith("上")) {
                return Optional.of(thisWeek.minusWeeks(1));
            }
            return Optional.of(thisWeek.isAfter(today) ? thisWeek.minusWeeks(1) : thisWeek);
        }
        s = digits(text);
        // "3天前", "两天之前", "一周前", "一个星期以前": counted back from today (a year at most).
        Matcher ago = AGO.matcher(s);
        if (ago.find()) {
            int days = Integer.parseInt(ago.group(1)) * ("天".equals(ago.group(2)) ? 1 : 7);
            return days <= 366 ? Optional.of(today.minusDays(days)) : Optional.empty();
        }
        Matcher full = FULL_DATE.matcher(s);
        if (full.find()) {
            return safeDate(Integer.parseInt(full.group(1)), Integer.parseInt(full.group(2)), Integer.parseInt(full.group(3)));
        }
        Matcher shortDate = SHORT_DATE.matcher(s);
        if (shortDate.find()) {
            Optional<LocalDate> d = safeDate(today.getYear(), Integer.parseInt(shortDate.group(1)), Integer.parseInt(shortDate.group(2)));
            return d.map(x -> back(x, x.minusYears(1), today, strict));
        }
        // "1号", "15日": a day of this month. Lying ahead, it is last month's — except where only a past date
        // makes sense (strict), where "5号" said on the 2nd is more likely a slip than last month: asked again.
        Matcher day = DAY_ONLY.matcher(s);
        if (day.matches()) {
            int n = Integer.parseInt(day.group(1));
            Optional<LocalDate> d = safeDate(today.getYear(), today.getMonthValue(), n);
            if (strict || d.isPresent() && !d.get().isAfter(today)) {
                return d;
            }
            return safeDate(today.minusMonths(1).getYear(), today.minusMonths(1).getMonthValue(), n);
        }
        return Optional.empty();
    }

    /** A date known only roughly, and how to say it: "上个月", "11月初", "前几天（约11月29日）". */
    record Approximate(LocalDate date, String label) {}

    /**
     * A time said roughly — 上个月, 上上个月, 这个月初, 11月初, 10月中旬, 9月底, 去年12月, 去年, 前几天 — as a date near it
     * (the month's first, 15th or last day; three days back) with the words kept as its label, so that nobody
     * reads more precision into it than was given. Not for a date that must be exact (a visit's).
     */
    static Optional<Approximate> approximateDate(String text, LocalDate today) {
        String s = digits(text);
        if (s.contains("前几天") || s.contains("前些天") || s.contains("前两天") || s.contains("这几天") || s.contains("最近几天")) {
            LocalDate d = today.minusDays(3);
            return Optional.of(new Approximate(d, "前几天（约" + d.getMonthValue() + "月" + d.getDayOfMonth() + "日）"));
        }
        Matcher m = ROUGH_MONTH.matcher(s);
        boolean found = false;
        while (!found && m.find()) {
            found = m.group(1) != null || m.group(2) != null; // every part is optional: skip empty matches
        }
        if (!found) {
            return Optional.empty();
        }
        String which = m.group(1);
        String part = m.group(3) == null ? "" : m.group(3);
        YearMonth month;
        boolean lastYear = which != null && which.startsWith("去年");
        if (m.group(2) != null) {
            int n = Integer.parseInt(m.group(2));
            if (n < 1 || n > 12) {
                return Optional.empty();
            }
            month = YearMonth.of(today.getYear() - (lastYear ? 1 : 0), n);
            if (!lastYear && month.isAfter(YearMonth.from(today))) {
                month = month.minusYears(1); // "12月底" said in January: last December
            }
        } else if (which == null) {
            return Optional.empty();
        } else if (lastYear) {
            return Optional.of(new Approximate(LocalDate.of(today.getYear() - 1, 1, 1), "去年"));
        } else {
            month = YearMonth.from(today).minusMonths(which.startsWith("上上") ? 2 : which.startsWith("上") ? 1 : 0);
        }
        String said = (lastYear ? "去年" : month.getYear() == today.getYear() ? "" : month.getYear() + "年")
                + month.getMonthValue() + "月";
        LocalDate d;
        if (part.startsWith("中")) {
            d = month.atDay(15);
            said += "中旬";
        } else if (part.equals("底") || part.equals("末") || part.equals("下旬")) {
            d = month.atEndOfMonth();
            said += "底";
        } else {
            d = month.atDay(1);
            said += part.isEmpty() ? "" : "初";
        }
        return Optional.of(new Approximate(d, said));
    }

    /** 上个月底, 上上月, 这个月初, 11月初, 10月中旬, 去年12月, 去年 (group 1: which; 2: a month's number; 3: part). */
    private static final Pattern ROUGH_MONTH = Pattern.compile(
            "(上上个?月|上个?月|这个?月|本月|去年)?(?:(\\d{1,2})月)?(初|头|上旬|中旬|中|底|末|下旬)?");

    private static Optional<LocalDate> safeDate(int y, int m, int d) {
        try {
            return Optional.of(LocalDate.of(y, m, d));
        } catch (java.time.DateTimeException e) {
            return Optional.empty();
        }
    }

    /** Chinese numerals to digits, so "十一月三号" reads like "11月3号". */
    private static String digits(String text) {
        String s = SPACE.matcher(TextNormalizer.normalize(text)).replaceAll("");
        Matcher m = CHINESE_NUMERAL.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            OptionalInt n = TextNormalizer.chineseNumber(m.group());
            m.appendReplacement(out, n.isPresent() ? Integer.toString(n.getAsInt()) : m.group());
        }
        m.appendTail(out);
        return out.toString();
    }

    private static final Pattern DAY_ONLY = Pattern.compile("(\\d{1,2})[日号]");
    private static final Pattern AGO = Pattern.compile("(\\d{1,3})个?(天|周|星期|礼拜)(?:之|以)?前");
    private static final Pattern WEEKDAY = Pattern.compile("(上个?|这个?|本)?(周|星期|礼拜)([一二三四五六日天])");
    private static final Pattern MONTHS = Pattern.compile("(\\d{1,2})个?多?月");
    private static final Pattern YEARS = Pattern.compile("(\\d{1,2})(?:周岁|岁|虚岁)?多?");

    /**
     * A child's age as people say it — "3", "3岁", "三岁半", "6个月", "半岁", "刚出生" — in months. Under 18
     * only: this line is for children.
     */
    static Optional<Integer> age(String text) {
        String s = digits(text);
        if (s.contains("刚出生") || s.contains("刚生") || s.contains("新生儿") || s.contains("满月")) {
            return Optional.of(1);
        }
        if (s.contains("半岁") && !DIGIT.matcher(s).find()) {
            return Optional.of(6);
        }
        if (!s.contains("岁") && !s.contains("月") && (s.contains("年级") || s.contains("班") || s.contains("初")
                || s.contains("高") || s.contains("幼儿园") || s.contains("小学") || s.contains("中学"))) {
            // "上二年级了", "初一": a grade, not an age ("2" would be read as 2 years): asked again for the age.
            return Optional.empty();
        }
        Matcher m = MONTHS.matcher(s);
        if (m.find()) {
            int months = Integer.parseInt(m.group(1));
            return months <= 36 ? Optional.of(months) : Optional.empty();
        }
        Matcher y = YEARS.matcher(s);
        if (y.find()) {
            int years = Integer.parseInt(y.group(1));
            int half = s.contains("半") ? 6 : 0;
            return years <= 17 ? Optional.of(years * 12 + half) : Optional.empty();
        }
        return Optional.empty();
    }

    /** {@code field} as said back ("3岁", "6个月"), {@code field_months} for conditions. */
    private static Answer ageAnswer(String field, int months) {
        String said = months < 24 && months % 12 != 0 || months < 12 ? months + "个月"
                : (months / 12) + "岁" + (months % 12 >= 6 ? "半" : "");
        return new Answer(Map.of(field, said, field + "_label", said, field + "_months", Integer.toString(months)), null);
    }

    static Optional<Integer> number(String text) {
        String s = digits(text);
        Matcher m = INTEGER.matcher(s);
        if (m.find() && m.group().length() <= 9) {
            return Optional.of(Integer.parseInt(m.group()));
        }
        return Optional.empty();
    }

    /** A town by number or name; a community of the town already answered (field named after {@code of}). */
    private Optional<String> region(Ask ask, String raw, Map<String, String> fields) {
        List<String> names = regionNames(ask, fields);
        OptionalInt n = TextNormalizer.choiceNumber(raw);
        if (n.isPresent()) {
            int i = n.getAsInt();
            return i >= 1 && i <= names.size() ? Optional.of(names.get(i - 1)) : Optional.empty();
        }
        String s = TextNormalizer.compact(raw);
        for (String name : names) {
            String core = PLACE_SUFFIX.matcher(name).replaceAll("");
            if (s.contains(name) || (core.length() >= 2 && s.contains(core)) || (s.length() >= 2 && name.contains(s))) {
                return Optional.of(name);
            }
        }
        // The regions file never lists every village and estate: a community typed out is taken as written.
        if (communityLevel(ask) && s.codePoints().filter(Character::isLetter).count() >= 2 && !NOT_A_PLACE.matcher(s).find()) {
            return Optional.of(raw.strip());
        }
        return Optional.empty();
    }

    /** Answers that are not a place, at a question where any typed name is otherwise taken. */
    private static final Pattern NOT_A_PLACE = Pattern.compile("不知道|不清楚|忘了|不记得|没有|随便|不告诉");

    static boolean communityLevel(Ask ask) {
        return ask.level() != null && ask.level().startsWith("community");
    }

    /** Names offered by a region question, in the order they are numbered. */
    List<String> regionNames(Ask ask, Map<String, String> fields) {
        if (communityLevel(ask)) {
            String townField = ask.level().replaceFirst("^community(\\s+of\\s+)?", "").trim();
            String town = fields.get(townField.isEmpty() ? "town" : townField);
            return regions.town(town).map(Regions.Town::communities).orElse(List.of());
        }
        return regions.towns().stream().map(Regions.Town::name).toList();
    }
}
