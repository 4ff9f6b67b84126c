package cep.flinkdiff;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/**
 * The keyed state of one key, in memory: the map states of flink-cep's SharedBuffer (the only
 * state it asks for) held as plain HashMaps, objects as they are (no serializer runs).
 */
final class MemoryStateStore implements KeyedStateStore {
    @Override
    public <UK, UV> MapState<UK, UV> getMapState(MapStateDescriptor<UK, UV> d) {
        return new MemoryMapState<>();
    }

    @Override
    public <T> ValueState<T> getState(ValueStateDescriptor<T> d) {
        throw new UnsupportedOperationException("value state");
    }

    @Override
    public <T> ListState<T> getListState(ListStateDescriptor<T> d) {
        throw new UnsupportedOperationException("list state");
    }

    @Override
    public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> d) {
        throw new UnsupportedOperationException("reducing state");
    }

    @Override
    public <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(AggregatingStateDescriptor<IN, ACC, OUT> d) {
        throw new UnsupportedOperationException("aggregating state");
    }

    private static final class MemoryMapState<K, V> implements MapState<K, V> {
        private final HashMap<K, V> map = new HashMap<>();

        public V get(K k) { return map.get(k); }
        public void put(K k, V v) { map.put(k, v); }
        public void putAll(Map<K, V> m) { map.putAll(m); }
        public void remove(K k) { map.remove(k); }
        public boolean contains(K k) { return map.containsKey(k); }
        public Iterable<Map.Entry<K, V>> entries() { return map.entrySet(); }
        public Iterable<K> keys() { return map.keySet(); }
        public Iterable<V> values() { return map.values(); }
        public Iterator<Map.Entry<K, V>> iterator() { return map.entrySet().iterator(); }
        public boolean isEmpty() { return map.isEmpty(); }
        public void clear() { map.clear(); }
    }
}
