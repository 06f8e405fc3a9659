package org.careline.flow;

import java.util.List;
import java.util.Optional;

/**
 * Towns/streets of the district and their communities, from {@code config/regions.yaml} (read by
 * {@code flowfiles.RegionsFile}).
 */
public record Regions(String district, List<Town> towns) {

    public record Town(String name, List<String> communities) {}

    Optional<Town> town(String name) {
        return towns.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
