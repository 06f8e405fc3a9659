package org.careline.flow;

/** The 18-character resident ID number (GB 11643-1999): 17 digits and a check character (0–9 or X). */
final class ChineseIdNumber {

    private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final String CHECK = "10X98765432";
    private static final java.util.regex.Pattern SHAPE = java.util.regex.Pattern.compile("\\d{17}[0-9X]");

    private ChineseIdNumber() {
    }

    static boolean isValid(String id) {
        if (id == null || !SHAPE.matcher(id).matches()) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (id.charAt(i) - '0') * WEIGHTS[i];
        }
        return CHECK.charAt(sum % 11) == id.charAt(17);
    }
}
