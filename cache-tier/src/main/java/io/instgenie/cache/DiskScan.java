package io.instgenie.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a disk tier finds in its folder at start: valid cache files, oldest first; debris removed.
 */
final class DiskScan {
  private static final System.Logger LOG = System.getLogger(DiskScan.class.getName());
  private static final Pattern NAME = Pattern.compile("([A-Za-z0-9_-]{1,128})-(\\d{1,9})\\.igc");

  private record Found(TemplateKey key, long size, long mtime) {}

  private DiskScan() {}

  /** Keys and file sizes ordered by modification time (least recently used first). */
  static LinkedHashMap<TemplateKey, Long> scan(Path dir) throws IOException {
    List<Found> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.equals(DiskTier.LOCK_FILE)) continue;
        if (name.startsWith(".") && name.endsWith(".tmp")) {
          LOG.log(System.Logger.Level.INFO, "deleting " + f + ": a write a stop interrupted");
          Files.deleteIfExists(f);
          continue;
        }
        Matcher m = NAME.matcher(name);
        if (!m.matches() || !Files.isRegularFile(f)) {
          LOG.log(System.Logger.Level.INFO, "ignoring " + f + ": not a cache file's name");
          continue;
        }
        TemplateKey key = new TemplateKey(m.group(1), Integer.parseInt(m.group(2)));
        if (valid(f, key)) {
          found.add(new Found(key, Files.size(f), Files.getLastModifiedTime(f).toMillis()));
        } else {
          Files.deleteIfExists(f);
        }
      }
    }
    found.sort(Comparator.comparingLong(Found::mtime).thenComparing(x -> x.key().fileName()));
    LinkedHashMap<TemplateKey, Long> out = new LinkedHashMap<>();
    for (Found x : found) out.put(x.key(), x.size());
    return out;
  }

  /** Header and size checked; segments are checked when read. */
  private static boolean valid(Path f, TemplateKey key) {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      IgcFile.readHeader(ch, key);
      return true;
    } catch (IOException | RuntimeException e) { // CorruptSegmentException, or any other damage
      LOG.log(
          System.Logger.Level.WARNING,
          "deleting unreadable cache file " + f + ": " + e.getMessage());
      return false;
    }
  }
}
