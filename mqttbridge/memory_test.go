package mqttbridge_test

import (
	"io"
	"net"
	"runtime"
	"strconv"
	"testing"

	"github.com/cuakhau/cuakhau/mqttbridge"
)

// connect opens a bare MQTT 3.1.1 connection as clientID (a CONNECT
// packet written by hand, so that the client side costs a socket and
// nothing else) and waits for the broker's CONNACK.
func connect(tb testing.TB, addr, clientID string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	// Variable header: protocol "MQTT", level 4, clean session, keep-alive 600 s.
	vh := []byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0x02, 0x58}
	payload := append([]byte{byte(len(clientID) >> 8), byte(len(clientID))}, clientID...)
	pkt := append([]byte{0x10, byte(len(vh) + len(payload))}, vh...)
	pkt = append(pkt, payload...)
	if _, err := c.Write(pkt); err != nil {
		tb.Fatal(err)
	}
	ack := make([]byte, 4)
	if _, err := io.ReadFull(c, ack); err != nil || ack[0] != 0x20 || ack[3] != 0 {
		tb.Fatalf("connack %x: %v", ack, err)
	}
	return c
}

// BenchmarkBrokerClients measures the embedded broker's memory with 1,000
// connected devices: the heap in use and the goroutines after they have
// connected, less before, per device. Each device is a bare connection
// (see connect), so what is counted is the broker's.
//
//	go test -run '^$' -bench BrokerClients -benchtime 1x -count 3 ./mqttbridge/
func BenchmarkBrokerClients(b *testing.B) {
	const devices = 1000
	for range b.N {
		broker, err := mqttbridge.Listen("127.0.0.1:0", mqttbridge.New(nil, nil, nil), nil)
		if err != nil {
			b.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()
		conns := make([]net.Conn, devices)
		for i := range conns {
			conns[i] = connect(b, broker.Addr, "device-"+strconv.Itoa(i))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if n := broker.Clients(); n != devices {
			b.Fatalf("%d clients connected, want %d", n, devices)
		}
		heap := float64(after.HeapInuse-before.HeapInuse) + float64(after.StackInuse-before.StackInuse)
		b.ReportMetric(heap/(1<<20), "MiB/1000-devices")
		b.ReportMetric(heap/devices/1024, "KiB/device")
		b.ReportMetric(float64(runtime.NumGoroutine()-g0)/devices, "goroutines/device")
		for _, c := range conns {
			c.Close()
		}
		broker.Close()
	}
}
