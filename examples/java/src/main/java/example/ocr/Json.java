package example.ocr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for the example to need no library: objects become {@code Map}, arrays
 * {@code List}, numbers {@code Long} or {@code Double}. In a Spring application use Jackson's
 * {@code ObjectMapper} (already on its classpath) instead.
 */
final class Json {
    private final String text;
    private int at;

    private Json(String text) {
        this.text = text;
    }

    /** Parses a JSON object. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String text) {
        Json json = new Json(text);
        Object value = json.value();
        json.skipBlanks();
        if (!(value instanceof Map) || json.at != text.length()) throw new IllegalArgumentException("not one JSON object: " + text);
        return (Map<String, Object>) value;
    }

    /** Writes a flat object of strings. */
    static String write(Map<String, String> fields) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, String> field : fields.entrySet()) {
            if (out.length() > 1) out.append(',');
            quote(out, field.getKey()).append(':');
            quote(out, field.getValue());
        }
        return out.append('}').toString();
    }

    private static StringBuilder quote(StringBuilder out, String value) {
        out.append('"');
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"');
    }

    private void skipBlanks() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
    }

    private char next() {
        skipBlanks();
        if (at >= text.length()) throw new IllegalArgumentException("JSON ends early: " + text);
        return text.charAt(at);
    }

    private void expect(char c) {
        if (next() != c) throw new IllegalArgumentException("expected '" + c + "' at " + at + ": " + text);
        at++;
    }

    private Object value() {
        char c = next();
        if (c == '{') return parseObject();
        if (c == '[') return parseArray();
        if (c == '"') return parseString();
        for (String word : new String[] {"true", "false", "null"}) {
            if (text.startsWith(word, at)) {
                at += word.length();
                return word.equals("null") ? null : Boolean.valueOf(word);
            }
        }
        return parseNumber();
    }

    private Map<String, Object> parseObject() {
        Map<String, Object> map = new LinkedHashMap<>();
        expect('{');
        if (next() == '}') {
            at++;
            return map;
        }
        do {
            next();
            String key = parseString();
            expect(':');
            map.put(key, value());
        } while (next() == ',' && at++ >= 0);
        expect('}');
        return map;
    }

    private List<Object> parseArray() {
        List<Object> list = new ArrayList<>();
        expect('[');
        if (next() == ']') {
            at++;
            return list;
        }
        do {
            list.add(value());
        } while (next() == ',' && at++ >= 0);
        expect(']');
        return list;
    }

    private String parseString() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = text.charAt(at++);
            if (c == '"') return out.toString();
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escape = text.charAt(at++);
            switch (escape) {
                case 'u' -> {
                    out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                }
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                default -> out.append(escape);
            }
        }
    }

    private Number parseNumber() {
        int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) at++;
        String number = text.substring(start, at);
        if (number.isEmpty()) throw new IllegalArgumentException("unexpected '" + text.charAt(start) + "' at " + start + ": " + text);
        return number.matches("-?\\d+") ? (Number) Long.valueOf(number) : (Number) Double.valueOf(number);
    }
}
