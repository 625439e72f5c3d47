package io.dtx.dispatch;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which addresses branch calls may reach. Link-local addresses (169.254.0.0/16, fe80::/10, where cloud metadata
 * services live) and the AWS IPv6 metadata address are always refused; when an allow-list is configured, only its
 * hosts ({@code name}, {@code *.suffix}) and CIDR blocks are reachable. The check is made on the resolved address.
 */
public final class OutboundGuard {
    private static final Pattern IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");
    private static final InetAddress AWS_V6_METADATA = literal("fd00:ec2::254");

    private final List<String> hosts = new ArrayList<>();
    private final List<Cidr> blocks = new ArrayList<>();
    private final boolean restricted;

    public OutboundGuard(List<String> allow) {
        for (String entry : allow) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            if (e.contains("/") || isIpLiteral(e)) {
                blocks.add(Cidr.parse(e));
            } else {
                hosts.add(e.toLowerCase(Locale.ROOT));
            }
        }
        this.restricted = !hosts.isEmpty() || !blocks.isEmpty();
    }

    /** Why a call to {@code host} at {@code address} is refused, or empty when it may go ahead. */
    public Optional<String> refusal(String host, InetAddress address) {
        if (address.isLinkLocalAddress() || address.equals(AWS_V6_METADATA)) {
            return Optional.of("address " + address.getHostAddress() + " of " + host
                    + " is link-local or a cloud metadata address; dtx never calls those");
        }
        if (!restricted) {
            return Optional.empty();
        }
        String h = host.toLowerCase(Locale.ROOT);
        for (String allowed : hosts) {
            if (allowed.equals(h) || (allowed.startsWith("*.") && h.endsWith(allowed.substring(1)))) {
                return Optional.empty();
            }
        }
        for (Cidr block : blocks) {
            if (block.contains(address)) {
                return Optional.empty();
            }
        }
        return Optional.of(host + " (" + address.getHostAddress() + ") is not in dtx.outbound.allow");
    }

    public static String hostOf(URI uri) {
        String host = uri.getHost();
        if (host != null && host.startsWith("[") && host.endsWith("]")) {
            return host.substring(1, host.length() - 1);
        }
        return host;
    }

    public static boolean isIpLiteral(String host) {
        return host != null && (IPV4.matcher(host).matches() || host.indexOf(':') >= 0);
    }

    public static InetAddress literal(String ip) {
        try {
            // Only literals reach here, so this never performs a DNS lookup.
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
    }

    private record Cidr(BigInteger network, int bits, int length) {
        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            InetAddress addr = literal(slash < 0 ? text : text.substring(0, slash));
            int length = addr.getAddress().length * 8;
            int bits = slash < 0 ? length : Integer.parseInt(text.substring(slash + 1));
            if (bits < 0 || bits > length) {
                throw new IllegalArgumentException("bad CIDR block " + text);
            }
            return new Cidr(mask(new BigInteger(1, addr.getAddress()), bits, length), bits, length);
        }

        boolean contains(InetAddress address) {
            byte[] raw = address.getAddress();
            if (raw.length * 8 != length) {
                if (address instanceof Inet6Address && length == 32 && isMappedV4(raw)) {
                    raw = java.util.Arrays.copyOfRange(raw, 12, 16);
                } else {
                    return false;
                }
            }
            return mask(new BigInteger(1, raw), bits, length).equals(network);
        }

        private static boolean isMappedV4(byte[] raw) {
            for (int i = 0; i < 10; i++) {
                if (raw[i] != 0) {
                    return false;
                }
            }
            return raw[10] == (byte) 0xff && raw[11] == (byte) 0xff;
        }

        private static BigInteger mask(BigInteger value, int bits, int length) {
            return value.shiftRight(length - bits);
        }
    }
}
