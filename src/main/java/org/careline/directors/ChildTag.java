package org.careline.directors;

import java.util.Arrays;
import java.util.Optional;

/**
 * The categories a child on file may carry (Jiangsu 2018 分类保障, DESIGN §5); they overlap. A roster may
 * give either the code or the Chinese name; the code is stored.
 */
public enum ChildTag {
    ORPHAN("orphan", "孤儿"),
    GUARDIANSHIP_MISSING("guardianship-missing", "父母监护缺失"),
    GUARDIANS_UNABLE("guardians-unable", "父母无力履行监护职责"),
    SEVERE_DISABILITY("severe-disability", "重残"),
    SERIOUS_ILLNESS("serious-illness", "重病"),
    POOR_FAMILY("poor-family", "贫困家庭"),
    MINIMUM_INCOME("minimum-income", "低保"),
    LOW_INCOME("low-income", "低收入"),
    REGISTERED_POOR("registered-poor", "建档立卡"),
    LEFT_BEHIND("left-behind", "留守儿童"),
    OTHER("other", "其他");

    private final String code;
    private final String label;

    ChildTag(String code, String label) {
        this.code = code;
        this.label = label;
    }

    public String code() {
        return code;
    }

    public String label() {
        return label;
    }

    public static Optional<ChildTag> of(String given) {
        String g = given == null ? "" : given.strip();
        return Arrays.stream(values()).filter(t -> t.code.equals(g) || t.label.equals(g)).findFirst();
    }
}
